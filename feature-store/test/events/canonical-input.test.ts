// What the event contracts make of addresses, currencies and card numbers: one spelling per IP
// address, only currencies with a rate, and card numbers refused and redacted wherever they are.

import { account, checkout, checkoutMessage, payment, T0 } from "@riskgate/test-support/events";
import { describe, expect, it } from "vitest";
import {
  CARD_NUMBER_REDACTED,
  CURRENCY_CODES,
  canonicalIp,
  containsCardNumber,
  type DomainEvent,
  decodeCheckout,
  decodeEvent,
  EUR_RATES_AS_OF,
  EventDecodeError,
  redactCardNumbers,
} from "../../src/events/index.ts";

function refusal(fn: () => unknown): EventDecodeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof EventDecodeError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("IP addresses", () => {
  it("give every spelling of one address one canonical form", () => {
    expect(canonicalIp("203.0.113.7")).toBe("203.0.113.7");
    expect(canonicalIp("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(canonicalIp("::FFFF:CB00:7107")).toBe("203.0.113.7");
    expect(canonicalIp("2001:0DB8:0000:0000:0000:0000:0000:0001")).toBe("2001:db8::1");
    expect(canonicalIp("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
    expect(canonicalIp("::")).toBe("::");
  });

  it("refuse what is not an address, zero-padded IPv4 and zone ids included", () => {
    for (const bad of [
      "256.1.1.1",
      "1.2.3",
      "010.0.0.1",
      "1.2.3.04",
      "0x1.2.3.4",
      "fe80::1%eth0",
      "1::2::3",
      "::",
    ]) {
      if (bad === "::") continue;
      expect(canonicalIp(bad), bad).toBeUndefined();
    }
  });

  it("are canonical after decoding a checkout or an account event, the input left as sent", () => {
    const body = checkout("c1", T0, { device: { id: "d_1", ip: "::ffff:198.51.100.20", ip_country: "PT" } });
    expect(decodeCheckout(body).device.ip).toBe("198.51.100.20");
    expect(body.device.ip).toBe("::ffff:198.51.100.20");
    const login = decodeEvent(account("a1", T0, { ip: "2001:DB8::0:1" })) as DomainEvent & { ip: string };
    expect(login.ip).toBe("2001:db8::1");
  });

  it("that are invalid are refused naming the field", () => {
    const c = checkout("c1", T0, { device: { id: "d_1", ip: "300.1.2.3", ip_country: "PT" } });
    expect(refusal(() => decodeCheckout(c))).toMatchObject({ code: "schema_violation", field: "/device/ip" });
    const padded = account("a1", T0, { ip: "010.000.000.001" });
    expect(refusal(() => decodeEvent(padded))).toMatchObject({ code: "schema_violation", field: "/ip" });
  });
});

describe("currencies", () => {
  it("come from a dated rate table of ISO 4217 codes", () => {
    expect(EUR_RATES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(CURRENCY_CODES).toContain("EUR");
    for (const code of CURRENCY_CODES) expect(Intl.supportedValuesOf("currency")).toContain(code);
  });

  it("outside the table are refused naming the field, saying whether the code exists at all", () => {
    const unknown = checkout("c1", T0, { booking: { ...checkout("c1", T0).booking, currency: "XYZ" } });
    const noCode = refusal(() => decodeCheckout(unknown));
    expect(noCode).toMatchObject({ code: "schema_violation", field: "/booking/currency" });
    expect(noCode.message).toMatch(/not an ISO 4217 currency code/);
    const noRate = refusal(() => decodeEvent(payment("p1", T0, { currency: "BRL" })));
    expect(noRate).toMatchObject({ code: "schema_violation", field: "/currency" });
    expect(noRate.message).toMatch(/BRL is an ISO 4217 code without a configured EUR rate/);
  });
});

describe("card numbers", () => {
  const PAN = "4111 1111 1111 1111";

  it("in any string field, separators or not, are refused naming that field", () => {
    const inText = checkout("c1", T0, { message: { text: `pay with ${PAN} please` } });
    expect(refusal(() => decodeCheckout(inText))).toMatchObject({
      code: "card_number_present",
      field: "/message/text",
    });
    const inAgent = checkoutMessage("c1", T0, {
      device: { id: "d_1", ip: "10.0.0.1", ip_country: "PT", user_agent: "x 4111-1111-1111-1111 y" },
    });
    expect(refusal(() => decodeEvent(inAgent))).toMatchObject({ field: "/device/user_agent" });
    const asId = payment("p1", T0, { payment_instrument_id: "4111111111111111" });
    expect(refusal(() => decodeEvent(asId))).toMatchObject({ field: "/payment_instrument_id" });
  });

  it("are not the digits inside an identifier: UUIDs and hex ids that hold a Luhn-valid run are accepted", () => {
    // Each holds a Luhn-valid run of 13+ digits (and separators) that touches a letter: one random
    // UUID in about 440 did, and its event was refused as carrying a card number.
    for (const id of [
      "24a78074-5a67-4f6c-b441-178529132517",
      "b3597893-7954-473a-b384-65f04ab4afb2",
      "e68be943-ba58-4567-9771-4113006dfdd8",
    ]) {
      expect(containsCardNumber(id)).toBe(false);
      expect(decodeEvent(payment("p1", T0, { payment_instrument_id: id }))).toBeDefined();
    }
    // A UUID whose last two groups are all digits: 16 digits that stand alone and pass Luhn (about
    // 1 random UUID in 7,000), bare or in an id of the client's own.
    for (const id of ["0f8fad5b-d9cb-469f-1234-123456789011", "chk-0f8fad5b-d9cb-469f-1234-123456789011"]) {
      expect(containsCardNumber(id)).toBe(false);
      expect(redactCardNumbers(`{"id":"${id}"}`)).toBeUndefined();
    }
    // The same digits outside a UUID are a card number, and so is a PAN beside one.
    expect(containsCardNumber("ref 1234-123456789011")).toBe(true);
    expect(redactCardNumbers("0f8fad5b-d9cb-469f-1234-123456789011 paid 4111 1111 1111 1111")).toBe(
      `0f8fad5b-d9cb-469f-1234-123456789011 paid ${CARD_NUMBER_REDACTED}`,
    );
    // A card number bounded by punctuation or `_` is still one.
    for (const text of ["pi_4111111111111111", "(4111-1111-1111-1111)", "pan:4111111111111111."])
      expect(containsCardNumber(text)).toBe(true);
  });

  it("are redacted from any text, and only card numbers are", () => {
    const raw = JSON.stringify({ note: `card ${PAN}`, order: "1234567890123456", id: "4111111111111111" });
    const redacted = redactCardNumbers(raw) as string;
    expect(redacted).not.toContain("4111");
    expect(redacted.split(CARD_NUMBER_REDACTED)).toHaveLength(3);
    // Not Luhn-valid: an order number, kept.
    expect(redacted).toContain("1234567890123456");
    expect(redactCardNumbers("no card here 12345")).toBeUndefined();
  });
});

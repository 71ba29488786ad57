import { checkout, payment, T0 } from "@riskgate/test-support/events";
import { describe, expect, it } from "vitest";
import {
  AnyEvent,
  Checkout,
  containsCardNumber,
  decodeCheckout,
  decodeEvent,
  decodeEventBytes,
  decoderFor,
  EventDecodeError,
  findCardNumberField,
} from "../../src/events/index.ts";

function errorOf(fn: () => unknown): EventDecodeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof EventDecodeError) return err;
    throw err;
  }
  throw new Error("expected a decode error");
}

describe("event contracts", () => {
  it("accepts every valid event type and returns it unchanged", () => {
    const e = payment("p1", T0);
    expect(decodeEvent(e)).toEqual(e);
    expect(decodeCheckout(checkout("c1", T0))).toEqual(checkout("c1", T0));
  });

  it.each([
    ["2026-02-30T10:00:00Z", "a day February does not have"],
    ["2100-02-29T10:00:00Z", "February 29 of a century year not divisible by 400"],
    ["2026-04-31T10:00:00Z", "a day April does not have"],
    ["2026-12-31T24:00:00Z", "hour 24"],
    ["2026-12-31T23:60:00Z", "minute 60"],
    ["2026-12-31T23:59:60Z", "a leap second"],
  ])("rejects %s (%s) naming the field", (ts) => {
    const err = errorOf(() => decodeEvent({ ...payment("p", T0), occurred_at: ts }));
    expect(err.code).toBe("invalid_timestamp");
    expect(err.field).toBe("/occurred_at");
  });

  it("accepts real instants with offsets and years before 100", () => {
    expect(() =>
      decodeEvent({ ...payment("p", T0), occurred_at: "2028-02-29T23:59:59.999+01:00" }),
    ).not.toThrow();
    expect(() => decodeEvent({ ...payment("p", T0), occurred_at: "2000-02-29T00:00:00Z" })).not.toThrow();
    expect(() =>
      decodeEvent({ ...payment("p", T0), occurred_at: "2026-12-31T23:59:59-05:00" }),
    ).not.toThrow();
    expect(() =>
      decodeCheckout({ ...checkout("c", T0), user: { id: "u", created_at: "0050-06-01T00:00:00Z" } }),
    ).not.toThrow();
  });

  it("names the field for unknown fields, wrong types and unknown event types", () => {
    expect(errorOf(() => decodeEvent({ ...payment("p", T0), extra: 1 })).field).toBe("/extra");
    expect(errorOf(() => decodeEvent({ ...payment("p", T0), amount: "12" })).field).toBe("/amount");
    const unknown = errorOf(() => decodeEvent({ ...payment("p", T0), type: "refund" }));
    expect([unknown.code, unknown.field]).toEqual(["unknown_event_type", "/type"]);
    expect(errorOf(() => decodeEventBytes("{oops")).code).toBe("invalid_json");
    expect(errorOf(() => decodeEvent([])).code).toBe("not_an_object");
  });

  it("refuses anything that looks like a full card number, wherever it is", () => {
    const err = errorOf(() =>
      decodeCheckout(checkout("c", T0, { message: { text: "card 4111-1111-1111-1111 ok?" } })),
    );
    expect([err.code, err.field]).toEqual(["card_number_present", "/message/text"]);
    expect(containsCardNumber("5555 5555 5555 4444")).toBe(true);
    // Luhn-invalid digit runs and phone numbers are not cards.
    expect(containsCardNumber("4111 1111 1111 1112")).toBe(false);
    expect(containsCardNumber("call +351 912 345 678")).toBe(false);
  });

  it("names the field holding a card number at any depth, and finds it on every call", () => {
    const value = { a: "x", b: [{ c: "no" }, { d: "4222222222222" }], e: "5555 5555 5555 4444" };
    expect(findCardNumberField(value)).toBe("/b/1/d");
    expect(findCardNumberField(value)).toBe("/b/1/d");
    expect(findCardNumberField("4111111111111111")).toBe("/");
    expect(findCardNumberField({ a: "4111 1111 1111 1112", b: 4111111111111111 })).toBeUndefined();
  });

  it("gives the decoder of a contract: one event's schema as it stands, all events by their type", () => {
    const decodeAny = decoderFor(AnyEvent);
    expect(decodeAny(payment("p", T0))).toEqual(payment("p", T0));
    const err = errorOf(() => decodeAny({ ...payment("p", T0), type: "refund" }));
    expect([err.code, err.field]).toEqual(["unknown_event_type", "/type"]);
    const decodeCheckoutBody = decoderFor(Checkout);
    const body = checkout("c", T0);
    expect(decodeCheckoutBody(body)).toBe(body);
    const tagged = errorOf(() => decodeCheckoutBody({ ...body, type: "checkout" }));
    expect([tagged.code, tagged.field]).toEqual(["schema_violation", "/type"]);
    const crypto = errorOf(() =>
      decodeCheckoutBody({ ...body, payment: { ...body.payment, type: "crypto" } }),
    );
    expect(crypto.message).toBe("/payment/type: expected one of card, wallet, bank");
  });
});

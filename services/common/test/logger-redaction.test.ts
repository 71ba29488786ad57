// What a log line may carry: secrets and personal data never reach the output, by field name or in
// free text, and errors keep their stacks.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.ts";

/** A logger at debug level whose lines land in `lines`, one parsed object each. */
function capture() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level: "debug", service: "test" }, stream);
  const lines = () =>
    chunks
      .join("")
      .split("\n")
      .filter((l) => l.length > 0);
  return { logger, lines, text: () => chunks.join("") };
}

const EMAIL = "guest.name@example.com";
const PAN = "4111 1111 1111 1111";
const PAN_DIGITS = "4111111111111111";
const KEY = "admin-key-0123456789abcdef";

describe("log lines", () => {
  it("redact secret fields by name at the top level and nested", () => {
    const { logger, text, lines } = capture();
    logger.info(
      {
        email: EMAIL,
        authorization: `Bearer ${KEY}`,
        apiKey: KEY,
        redisUrl: "redis://:hunter2@cache:6379",
        user: { id: "u_1", email: EMAIL, password: "hunter2" },
        req: { headers: { authorization: `Bearer ${KEY}`, cookie: "session=abc" } },
        payment: { card_number: PAN_DIGITS },
      },
      "something happened",
    );
    const out = text();
    for (const secret of [EMAIL, KEY, "hunter2", PAN_DIGITS, "session=abc"])
      expect(out).not.toContain(secret);
    const line = JSON.parse(lines()[0] as string);
    expect(line).toMatchObject({
      msg: "something happened",
      email: "[redacted]",
      apiKey: "[redacted]",
      user: { id: "[redacted]", email: "[redacted]", password: "[redacted]" },
      req: { headers: { authorization: "[redacted]", cookie: "[redacted]" } },
      payment: { card_number: "[redacted]" },
    });
  });

  it("redact identifiers and addresses by name, should one reach a log line", () => {
    const { logger, text, lines } = capture();
    const ids = {
      user_id: "u_secret_1",
      ip: "203.0.113.77",
      case: { userId: "u_secret_2", paymentInstrumentId: "pi_secret_3" },
      checkout: {
        device: { id: "d_secret_4", ip: "198.51.100.9" },
        listing: { id: "l_secret_5", host_id: "h_6" },
      },
      event: { payment_instrument_id: "pi_secret_7", device_id: "d_secret_8", listing_id: "l_secret_9" },
    };
    logger.warn({ ...ids, event_id: "co-1" }, "an event went wrong");
    const out = text();
    for (const raw of [
      "u_secret",
      "pi_secret",
      "d_secret",
      "l_secret",
      "h_6",
      "203.0.113.77",
      "198.51.100.9",
    ])
      expect(out).not.toContain(raw);
    // Event ids name an event, not a person: kept, so a log line can still be traced.
    expect(JSON.parse(lines()[0] as string).event_id).toBe("co-1");
  });

  it("keep the digits of an identifier: a trace id holding a run of 13 digits is logged whole", () => {
    const { logger, lines } = capture();
    // Its `1898161949208` was masked as a card number, and the line lost its trace.
    const traceId = "51b96157b1898161949208e9f5145fa0";
    logger.info({ trace_id: traceId, reason: `see trace ${traceId}` }, "scored");
    const line = JSON.parse(lines()[0] as string);
    expect(line.trace_id).toBe(traceId);
    expect(line.reason).toBe(`see trace ${traceId}`);
  });

  it("keep a UUID whose last two groups are all digits, and still mask a card number beside it", () => {
    const { logger, lines } = capture();
    // `-4111-111111111111` stands alone: 16 digits, masked as a card number before.
    const id = "chk-9f1c2e7a-55b0-4d2e-4111-111111111111";
    logger.info({ event_id: id, reason: `retry of ${id} paid with ${PAN}` }, "scored");
    const line = JSON.parse(lines()[0] as string);
    expect(line.event_id).toBe(id);
    expect(line.reason).toBe(`retry of ${id} paid with [card number]`);
  });

  it("mask emails and card numbers in free text under any field name", () => {
    const { logger, text, lines } = capture();
    logger.warn(
      { reason: `guest ${EMAIL} paid with ${PAN}`, notes: [`call ${EMAIL}`] },
      "kill switch engaged",
    );
    const out = text();
    expect(out).not.toContain(EMAIL);
    expect(out).not.toContain(PAN);
    const line = JSON.parse(lines()[0] as string);
    expect(line.reason).toBe("guest [email] paid with [card number]");
    expect(line.notes).toEqual(["call [email]"]);
  });

  it("keep an error's type, stack and cause, masked too", () => {
    const { logger, text, lines } = capture();
    const cause = new Error(`upstream refused ${EMAIL}`);
    const err = new TypeError(`could not publish for card ${PAN_DIGITS}`, { cause });
    logger.error({ err }, "publish failed");
    const out = text();
    expect(out).not.toContain(EMAIL);
    expect(out).not.toContain(PAN_DIGITS);
    const line = JSON.parse(lines()[0] as string);
    expect(line.err.type).toBe("TypeError");
    expect(line.err.message).toBe("could not publish for card [card number]");
    expect(line.err.stack).toMatch(/^TypeError: could not publish for card \[card number\]\n\s+at /);
    expect(line.err.stack).toContain("logger-redaction.test.ts");
    expect(line.err.cause).toMatchObject({ type: "Error", message: "upstream refused [email]" });
  });

  it("leave ordinary fields alone, and carry the component of a child logger", () => {
    const { logger, lines } = capture();
    const child = logger.child({ component: "review-queue" });
    const at = new Date("2026-03-01T12:00:00Z");
    child.info({ caseId: "rc_co-1", amount: 1234567890123, at, topics: ["payments"] }, "case opened");
    expect(JSON.parse(lines()[0] as string)).toMatchObject({
      service: "test",
      component: "review-queue",
      caseId: "rc_co-1",
      amount: 1234567890123,
      at: "2026-03-01T12:00:00.000Z",
      topics: ["payments"],
    });
  });
});

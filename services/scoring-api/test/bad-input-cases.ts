// The malformed POST /v1/score bodies of bad-input.test.ts, each with the status, error code and field
// it must be answered with.

import { checkout, T0 } from "@riskgate/test-support/events";

type Body = { json: unknown } | { raw: string; contentType?: string };

export interface Case {
  label: string;
  /** Builds the request body around a fresh, unique event id. */
  body: (id: string) => Body;
  status: number;
  field: string;
  code: string;
}

const MB = 1024 * 1024;

/** A valid checkout, as a plain mutable object. */
function valid(id: string): Record<string, unknown> {
  return structuredClone(checkout(id, T0)) as unknown as Record<string, unknown>;
}

/** A valid checkout with the value at a JSON pointer replaced (or removed when `value` is undefined). */
function setAt(id: string, pointer: string, value: unknown): Record<string, unknown> {
  const root = valid(id);
  const keys = pointer.split("/").slice(1);
  const last = keys.pop() as string;
  let cur = root;
  for (const k of keys) cur = cur[k] as Record<string, unknown>;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return root;
}

const set =
  (pointer: string, value: unknown) =>
  (id: string): Body => ({ json: setAt(id, pointer, value) });
const drop = (pointer: string) => set(pointer, undefined);
/** A valid checkout serialized, with one JSON fragment swapped for raw text (for what JSON.stringify cannot build). */
const rawWith =
  (pointer: string, rawValue: string) =>
  (id: string): Body => ({
    raw: JSON.stringify(setAt(id, pointer, "__RAW__")).replace('"__RAW__"', rawValue),
    contentType: "application/json",
  });
const raw =
  (text: string, contentType?: string) =>
  (_id: string): Body =>
    contentType === undefined ? { raw: text } : { raw: text, contentType };

const schema = (label: string, body: Case["body"], field: string): Case => ({
  label,
  body,
  status: 400,
  field,
  code: "schema_violation",
});
const timestamp = (label: string, pointer: string, value: string): Case => ({
  label,
  body: set(pointer, value),
  status: 400,
  field: pointer,
  code: "invalid_timestamp",
});
const card = (label: string, pointer: string, value: string): Case => ({
  label,
  body: set(pointer, value),
  status: 400,
  field: pointer,
  code: "card_number_present",
});

const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
const deepArray = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

/** Malformed bodies for POST /v1/score and the error each must get. */
export const CASES: Case[] = [
  // every required field missing, top-level and nested
  schema("missing event_id", drop("/event_id"), "/event_id"),
  schema("missing occurred_at", drop("/occurred_at"), "/occurred_at"),
  schema("missing user", drop("/user"), "/user"),
  schema("missing user.id", drop("/user/id"), "/user/id"),
  schema("missing user.created_at", drop("/user/created_at"), "/user/created_at"),
  schema("missing device", drop("/device"), "/device"),
  schema("missing device.ip", drop("/device/ip"), "/device/ip"),
  schema("missing payment.instrument_id", drop("/payment/instrument_id"), "/payment/instrument_id"),
  schema("missing payment.type", drop("/payment/type"), "/payment/type"),
  schema("missing listing.host_id", drop("/listing/host_id"), "/listing/host_id"),
  schema("missing booking", drop("/booking"), "/booking"),
  schema("missing booking.amount", drop("/booking/amount"), "/booking/amount"),
  schema("missing booking.checkin_at", drop("/booking/checkin_at"), "/booking/checkin_at"),
  schema("missing message", drop("/message"), "/message"),
  // wrong types
  schema("amount as a string", set("/booking/amount", "300"), "/booking/amount"),
  schema("user id as a number", set("/user/id", 42), "/user/id"),
  schema("event_id as a number", set("/event_id", 7), "/event_id"),
  schema("booking as an array", set("/booking", [300, "EUR"]), "/booking"),
  schema("user as null", set("/user", null), "/user"),
  schema("email_verified as a string", set("/user/email_verified", "yes"), "/user/email_verified"),
  schema("nights as a fraction", set("/booking/nights", 2.5), "/booking/nights"),
  schema("message text as a number", set("/message/text", 12), "/message/text"),
  // out of range
  schema("negative amount", set("/booking/amount", -1), "/booking/amount"),
  schema("zero amount", set("/booking/amount", 0), "/booking/amount"),
  schema("huge amount", set("/booking/amount", 1e12), "/booking/amount"),
  schema("amount overflowing to Infinity", rawWith("/booking/amount", "1e400"), "/booking/amount"),
  schema("zero nights", set("/booking/nights", 0), "/booking/nights"),
  schema("400 nights", set("/booking/nights", 400), "/booking/nights"),
  // bad enums
  schema("payment type crypto", set("/payment/type", "crypto"), "/payment/type"),
  schema("payment type upper case", set("/payment/type", "CARD"), "/payment/type"),
  // bad patterns
  schema("currency lower case", set("/booking/currency", "eur"), "/booking/currency"),
  schema("country alpha-3", set("/listing/country", "PRT"), "/listing/country"),
  schema("bin with letters", set("/payment/bin", "42424x"), "/payment/bin"),
  schema("ip garbage", set("/device/ip", "not-an-ip"), "/device/ip"),
  schema("ip with markup", set("/device/ip", "10.0.0.1<script>"), "/device/ip"),
  schema("id with a space", set("/user/id", "u 1"), "/user/id"),
  schema("id with braces (a Redis hash tag)", set("/device/id", "{d_1}"), "/device/id"),
  schema("empty event_id", set("/event_id", ""), "/event_id"),
  schema("email domain without a TLD", set("/user/email_domain", "example"), "/user/email_domain"),
  // impossible or malformed dates
  timestamp("30 February", "/user/created_at", "2026-02-30T10:00:00Z"),
  timestamp("29 February in a common year", "/booking/checkin_at", "2027-02-29T10:00:00Z"),
  timestamp("hour 25", "/occurred_at", "2026-03-01T25:00:00Z"),
  // RFC 3339 hours are 00-23; Date.parse rolls 24:00 over into the next day.
  timestamp("hour 24", "/occurred_at", "2026-12-31T24:00:00Z"),
  schema("no timezone", set("/booking/checkin_at", "2026-03-15T10:00:00"), "/booking/checkin_at"),
  schema("date only", set("/occurred_at", "2026-03-01"), "/occurred_at"),
  schema("epoch millis instead of a timestamp", set("/user/created_at", T0), "/user/created_at"),
  // huge strings
  schema("message just over 4000 characters", set("/message/text", "x".repeat(4001)), "/message/text"),
  {
    label: "message of 100k characters (over the body limit)",
    body: set("/message/text", "x".repeat(100_000)),
    status: 413,
    field: "/",
    code: "body_too_large",
  },
  schema("user agent of 10k characters", set("/device/user_agent", "M".repeat(10_000)), "/device/user_agent"),
  // deep nesting: must not overflow the stack anywhere
  schema("10,000 nested objects inside message", rawWith("/message", deepObject(10_000)), "/message/a"),
  schema(
    "30,000 nested arrays as message text",
    rawWith("/message/text", deepArray(30_000)),
    "/message/text",
  ),
  // unknown fields
  schema("unknown top-level field", set("/coupon", "SAVE50"), "/coupon"),
  schema("unknown nested field", set("/booking/discount", 10), "/booking/discount"),
  schema("the Kafka type tag", set("/type", "checkout"), "/type"),
  // card numbers anywhere
  card("card number in message, spaced", "/message/text", "pay me on 4111 1111 1111 1111 instead"),
  card("card number in message, dashed", "/message/text", "card 5555-5555-5555-4444 exp 12/29"),
  card("card number in message, plain", "/message/text", "amex 378282246310005 thanks"),
  card("card number in user agent", "/device/user_agent", "Mozilla/5.0 4242424242424242"),
  card("card number as instrument id", "/payment/instrument_id", "4242424242424242"),
  // not a JSON object at all
  {
    label: "non-JSON",
    body: raw("{not json", "application/json"),
    status: 400,
    field: "/",
    code: "bad_request",
  },
  {
    label: "truncated JSON",
    body: (id) => ({ raw: JSON.stringify(valid(id)).slice(0, 80), contentType: "application/json" }),
    status: 400,
    field: "/",
    code: "bad_request",
  },
  {
    label: "__proto__ key",
    body: raw('{"__proto__":{"admin":true}}', "application/json"),
    status: 400,
    field: "/",
    code: "bad_request",
  },
  {
    label: "empty body with a JSON content type",
    body: raw("", "application/json"),
    status: 400,
    field: "/",
    code: "bad_request",
  },
  schema("empty body without a content type", raw(""), "/"),
  schema("JSON array", (id) => ({ json: [valid(id)] }), "/"),
  schema("JSON string", raw('"a checkout"', "application/json"), "/"),
  schema("JSON null", raw("null", "application/json"), "/"),
  schema("JSON number", raw("42", "application/json"), "/"),
  // wrong media type
  {
    label: "text/plain",
    body: (id) => ({ raw: JSON.stringify(valid(id)), contentType: "text/plain" }),
    status: 415,
    field: "content-type",
    code: "unsupported_media_type",
  },
  {
    label: "application/xml",
    body: raw("<checkout/>", "application/xml"),
    status: 415,
    field: "content-type",
    code: "unsupported_media_type",
  },
  // size
  {
    label: "10 MB body",
    body: set("/message/text", "x".repeat(10 * MB)),
    status: 413,
    field: "/",
    code: "body_too_large",
  },
];

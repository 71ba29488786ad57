import { type TSchema, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import type { ValueError } from "@sinclair/typebox/errors";
import { AccountEvent } from "./accounts.ts";
import { findCardNumberField } from "./card-number.ts";
import { Checkout, CheckoutMessage } from "./checkout.ts";
import { currencyProblem } from "./currency.ts";
import { canonicalIp } from "./ip.ts";
import { LabelEvent } from "./labels.ts";
import { ListingEvent } from "./listings.ts";
import { PaymentAttempt } from "./payments.ts";

export type DomainEvent = PaymentAttempt | AccountEvent | ListingEvent | LabelEvent | CheckoutMessage;
export type EventType = DomainEvent["type"];

export type DecodeErrorCode =
  | "invalid_json"
  | "not_an_object"
  | "unknown_event_type"
  | "schema_violation"
  | "invalid_timestamp"
  | "card_number_present"
  | "event_in_future";

/** Why an event was refused; `field` is a JSON pointer such as `/booking/amount`. */
export class EventDecodeError extends Error {
  readonly code: DecodeErrorCode;
  readonly field: string;

  constructor(code: DecodeErrorCode, field: string, message: string) {
    super(message);
    this.code = code;
    this.field = field;
    this.name = "EventDecodeError";
  }
}

const SCHEMA_BY_TYPE: Record<EventType, TSchema> = {
  payment_attempt: PaymentAttempt,
  signup: AccountEvent,
  login: AccountEvent,
  password_reset: AccountEvent,
  email_change: AccountEvent,
  device_added: AccountEvent,
  listing_created: ListingEvent,
  listing_updated: ListingEvent,
  chargeback: LabelEvent,
  review_outcome: LabelEvent,
  checkout: CheckoutMessage,
};

/** Every event contract: documents `POST /v1/events`; decoding dispatches on `type` to one of them. */
export const AnyEvent = Type.Union([...new Set(Object.values(SCHEMA_BY_TYPE))]);

type Checker = ReturnType<typeof TypeCompiler.Compile>;
const compiled = new Map<TSchema, Checker>();
function checkerFor(schema: TSchema): Checker {
  let checker = compiled.get(schema);
  if (!checker) {
    checker = TypeCompiler.Compile(schema);
    compiled.set(schema, checker);
  }
  return checker;
}

/** A JSON pointer and its keys, split once: decoding runs for every checkout. */
interface Field {
  readonly pointer: string;
  readonly keys: readonly string[];
}
const field = (pointer: string): Field => ({ pointer, keys: pointer.split("/").slice(1) });

const TIMESTAMP_FIELDS = ["/occurred_at", "/user/created_at", "/booking/checkin_at"].map(field);
/** Where events carry an IP address: a checkout's device, an account event's optional `ip`. */
const IP_FIELDS = ["/device/ip", "/ip"].map(field);

function valueAt(value: unknown, keys: readonly string[]): unknown {
  let cur: unknown = value;
  for (const key of keys) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/**
 * Checks schema, calendar dates, IP addresses and the no-card-number rule; throws EventDecodeError
 * naming the field. IP addresses come back canonical (ip.ts), in a copy: the input is not changed.
 */
export function validateAgainst<T>(schema: TSchema, value: unknown): T {
  const checker = checkerFor(schema);
  if (!checker.Check(value)) {
    const first = checker.Errors(value).First();
    const field = first?.path || "/";
    const message = first ? describeError(first) : "invalid";
    throw new EventDecodeError("schema_violation", field, `${field}: ${message}`);
  }
  for (const { pointer, keys } of TIMESTAMP_FIELDS) {
    const ts = valueAt(value, keys);
    if (typeof ts === "string" && !isRealInstant(ts)) {
      throw new EventDecodeError("invalid_timestamp", pointer, `${pointer}: not a real date and time`);
    }
  }
  const card = findCardNumberField(value);
  if (card) {
    throw new EventDecodeError(
      "card_number_present",
      card,
      `${card}: looks like a full card number; send a token, never the number`,
    );
  }
  return withCanonicalIps(value) as T;
}

function withCanonicalIps(value: unknown): unknown {
  let out = value;
  for (const { pointer, keys } of IP_FIELDS) {
    const ip = valueAt(out, keys);
    if (typeof ip !== "string") continue;
    const canonical = canonicalIp(ip);
    if (canonical === undefined) {
      throw new EventDecodeError(
        "schema_violation",
        pointer,
        `${pointer}: not an IPv4 or IPv6 address (zero-padded IPv4 octets and IPv6 zone ids are refused)`,
      );
    }
    if (canonical !== ip) out = replaceAt(out as Record<string, unknown>, keys, canonical);
  }
  return out;
}

/** A copy of `obj` with the string at `path` replaced; objects along the path are copied, not changed. */
function replaceAt(
  obj: Record<string, unknown>,
  path: readonly string[],
  value: string,
): Record<string, unknown> {
  const [head, ...rest] = path as [string, ...string[]];
  return {
    ...obj,
    [head]: rest.length === 0 ? value : replaceAt(obj[head] as Record<string, unknown>, rest, value),
  };
}

/** A currency outside the accepted list: say whether it is no ISO 4217 code or one without a rate. */
function describeError(error: ValueError): string {
  if (error.path.endsWith("/currency") && typeof error.value === "string")
    return currencyProblem(error.value);
  return describeValueError(error);
}

/** TypeBox says "Expected union value" for a choice of literals: name the choices instead. */
export function describeValueError(error: ValueError): string {
  const choices = (error.schema.anyOf as TSchema[] | undefined)?.map((s) => s.const);
  if (choices && choices.length > 0 && choices.every((c) => typeof c === "string")) {
    return `expected one of ${choices.join(", ")}`;
  }
  return error.message;
}

/**
 * Date.parse rolls 2026-02-30 over to March and T24:00 over to the next day; a real instant must
 * name a calendar date and a time of day that exist (RFC 3339: hours 00–23, no leap seconds here).
 */
function isRealInstant(ts: string): boolean {
  if (Number.isNaN(Date.parse(ts))) return false;
  // The schema's pattern has put digits at these offsets; reading them in place allocates nothing.
  const y = digits(ts, 0, 4);
  const m = digits(ts, 5, 2);
  const d = digits(ts, 8, 2);
  if (digits(ts, 11, 2) > 23 || digits(ts, 14, 2) > 59 || digits(ts, 17, 2) > 59) return false;
  return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in month `m` (1–12) of year `y`, proleptic Gregorian as Date counts them. */
function daysIn(y: number, m: number): number {
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return m === 2 && leap ? 29 : (DAYS_IN_MONTH[m - 1] ?? 0);
}

/** The decimal number of `length` characters at `start` (NaN where one is no digit). */
function digits(text: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    n = n * 10 + c;
  }
  return n;
}

export function decodeEvent(value: unknown): DomainEvent {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new EventDecodeError("not_an_object", "/", "an event must be a JSON object");
  }
  const type = (value as { type?: unknown }).type;
  const schema = typeof type === "string" ? SCHEMA_BY_TYPE[type as EventType] : undefined;
  if (!schema) {
    throw new EventDecodeError(
      "unknown_event_type",
      "/type",
      `/type: expected one of ${Object.keys(SCHEMA_BY_TYPE).join(", ")}`,
    );
  }
  return validateAgainst<DomainEvent>(schema, value);
}

export function decodeEventBytes(bytes: Buffer | string): DomainEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof bytes === "string" ? bytes : bytes.toString("utf8"));
  } catch {
    throw new EventDecodeError("invalid_json", "/", "the message is not valid JSON");
  }
  return decodeEvent(parsed);
}

/**
 * The decoder of a contract, for callers that hold only the schema (an HTTP route's validator):
 * the union of all events dispatches on `type`, so an unknown type is named as such; any other
 * schema is checked as it stands. Nothing is coerced or stripped: the value comes back as sent.
 */
export function decoderFor(schema: TSchema): (value: unknown) => unknown {
  if (schema === AnyEvent) return decodeEvent;
  checkerFor(schema); // compiled when the route is registered, not on its first request
  return (value) => validateAgainst(schema, value);
}

/** Validates the body of `POST /v1/score` (the checkout without its type tag). */
export function decodeCheckout(value: unknown): Checkout {
  return validateAgainst<Checkout>(Checkout, value);
}

export function eventTimeMs(event: { occurred_at: string }): number {
  return Date.parse(event.occurred_at);
}

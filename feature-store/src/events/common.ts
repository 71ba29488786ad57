import { type TSchema, Type } from "@sinclair/typebox";

/**
 * Identifiers are opaque tokens; the character set keeps them safe inside Redis hash tags and log
 * lines. `~` is allowed for pseudonyms (events/pseudonymise.ts): the review labels the API publishes
 * carry them, and the labels topic keeps them; anywhere else such an id is hashed like any other.
 */
export const Id = Type.String({ minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9_.:@~-]+$" });

/**
 * RFC 3339 timestamps with an explicit offset. A pattern rather than a `format` keeps the schema
 * checkable by TypeBox and Ajv alike without registering formats; the calendar is checked on decode.
 */
export const Timestamp = Type.String({
  maxLength: 40,
  pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$",
});

export { Currency } from "./currency.ts";
export const Country = Type.String({ pattern: "^[A-Z]{2}$" });

/** Money amounts: positive, finite, and far below anything a booking could cost. */
export const Amount = Type.Number({ exclusiveMinimum: 0, maximum: 10_000_000 });

/** IPv4 or IPv6; the decoder refuses what is not an address and canonicalises the rest (ip.ts). */
export const Ip = Type.String({ minLength: 2, maxLength: 45, pattern: "^[0-9A-Fa-f.:]+$" });

/** Every event carries these; unknown fields are always rejected. */
export function eventObject<P extends Record<string, TSchema>>(
  properties: P,
  options: { readonly examples?: readonly unknown[] } = {},
) {
  return Type.Object(
    { event_id: Id, occurred_at: Timestamp, ...properties },
    { additionalProperties: false, ...options },
  );
}

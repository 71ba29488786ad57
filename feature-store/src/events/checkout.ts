import { type Static, Type } from "@sinclair/typebox";
import { Amount, Country, Currency, eventObject, Id, Ip, Timestamp } from "./common.ts";

const strict = { additionalProperties: false } as const;

const checkoutProperties = {
  user: Type.Object(
    {
      id: Id,
      created_at: Timestamp,
      email_domain: Type.Optional(
        Type.String({ minLength: 3, maxLength: 253, pattern: "^[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$" }),
      ),
      email_verified: Type.Optional(Type.Boolean()),
    },
    strict,
  ),
  device: Type.Object(
    {
      id: Id,
      ip: Ip,
      ip_country: Type.Optional(Country),
      user_agent: Type.Optional(Type.String({ maxLength: 512 })),
    },
    strict,
  ),
  payment: Type.Object(
    {
      instrument_id: Id,
      type: Type.Union([Type.Literal("card"), Type.Literal("wallet"), Type.Literal("bank")]),
      bin: Type.Optional(Type.String({ pattern: "^[0-9]{6,8}$" })),
      country: Type.Optional(Country),
      billing_country: Type.Optional(Country),
    },
    strict,
  ),
  listing: Type.Object({ id: Id, host_id: Id, country: Country }, strict),
  booking: Type.Object(
    {
      amount: Amount,
      currency: Currency,
      nights: Type.Integer({ minimum: 1, maximum: 365 }),
      checkin_at: Timestamp,
    },
    strict,
  ),
  message: Type.Object({ text: Type.Optional(Type.String({ maxLength: 4000 })) }, strict),
};

/**
 * A valid checkout, published with the contract (OpenAPI `examples`): clients see one, and
 * contract fuzzers start from a body the service accepts rather than only from random ones.
 */
const CHECKOUT_EXAMPLE = {
  event_id: "co-example-1",
  occurred_at: "2026-03-01T10:00:00Z",
  user: { id: "u1", created_at: "2026-02-20T09:00:00Z", email_domain: "example.com", email_verified: true },
  device: { id: "d1", ip: "203.0.113.7", ip_country: "PT", user_agent: "Mozilla/5.0" },
  payment: { instrument_id: "pi1", type: "card", bin: "424242", country: "PT", billing_country: "PT" },
  listing: { id: "l1", host_id: "h1", country: "PT" },
  booking: { amount: 340, currency: "EUR", nights: 3, checkin_at: "2026-04-20T15:00:00Z" },
  message: { text: "Looking forward to it" },
};

/** The body of `POST /v1/score`. */
export const Checkout = eventObject(checkoutProperties, { examples: [CHECKOUT_EXAMPLE] });
export type Checkout = Static<typeof Checkout>;

/** A checkout as it travels in the event log and on Kafka: the same body, tagged with its type. */
export const CheckoutMessage = eventObject(
  { type: Type.Literal("checkout"), ...checkoutProperties },
  { examples: [{ type: "checkout", ...CHECKOUT_EXAMPLE }] },
);
export type CheckoutMessage = Static<typeof CheckoutMessage>;

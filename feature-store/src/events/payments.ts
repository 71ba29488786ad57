import { type Static, Type } from "@sinclair/typebox";
import { Amount, Currency, eventObject, Id } from "./common.ts";

export const PaymentAttempt = eventObject(
  {
    type: Type.Literal("payment_attempt"),
    user_id: Id,
    payment_instrument_id: Id,
    device_id: Type.Optional(Id),
    amount: Amount,
    currency: Currency,
    status: Type.Union([Type.Literal("succeeded"), Type.Literal("failed")]),
    failure_code: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: "^[a-z0-9_]+$" })),
  },
  {
    examples: [
      {
        type: "payment_attempt",
        event_id: "pa-example-1",
        occurred_at: "2026-03-01T09:58:00Z",
        user_id: "u1",
        payment_instrument_id: "pi1",
        device_id: "d1",
        amount: 340,
        currency: "EUR",
        status: "failed",
        failure_code: "insufficient_funds",
      },
    ],
  },
);
export type PaymentAttempt = Static<typeof PaymentAttempt>;

import { type Static, Type } from "@sinclair/typebox";
import { Amount, Currency, eventObject, Id } from "./common.ts";

export const PaymentAttempt = eventObject({
  type: Type.Literal("payment_attempt"),
  user_id: Id,
  payment_instrument_id: Id,
  device_id: Type.Optional(Id),
  amount: Amount,
  currency: Currency,
  status: Type.Union([Type.Literal("succeeded"), Type.Literal("failed")]),
  failure_code: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: "^[a-z0-9_]+$" })),
});
export type PaymentAttempt = Static<typeof PaymentAttempt>;

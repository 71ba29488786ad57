import { type Static, Type } from "@sinclair/typebox";
import { eventObject, Id } from "./common.ts";

export const LabelEvent = eventObject({
  type: Type.Union([Type.Literal("chargeback"), Type.Literal("review_outcome")]),
  checkout_event_id: Id,
  label: Type.Union([Type.Literal("fraud"), Type.Literal("legit")]),
  user_id: Type.Optional(Id),
  payment_instrument_id: Type.Optional(Id),
  /** review_outcome: the name of the reviewer who resolved the case (a handle, never an e-mail). */
  reviewer: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z][A-Za-z0-9_.-]*$" })),
});
export type LabelEvent = Static<typeof LabelEvent>;

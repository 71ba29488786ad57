import { type Static, Type } from "@sinclair/typebox";
import { eventObject, Id, Ip } from "./common.ts";

export const ACCOUNT_EVENT_TYPES = [
  "signup",
  "login",
  "password_reset",
  "email_change",
  "device_added",
] as const;

export const AccountEvent = eventObject({
  type: Type.Union(ACCOUNT_EVENT_TYPES.map((t) => Type.Literal(t))),
  user_id: Id,
  device_id: Type.Optional(Id),
  ip: Type.Optional(Ip),
});
export type AccountEvent = Static<typeof AccountEvent>;

import { Type } from "@sinclair/typebox";
import { envInt } from "./env.ts";

/**
 * Configuration shared by every service that admits events (the scoring API and the consumer):
 * the same future-event guard and the same pseudonymisation key, or their features would not agree.
 * Spread into a service's configuration schema.
 */
export const EVENT_ADMISSION_CONFIG = {
  /** An event whose occurred_at is further ahead of the service's clock is refused. */
  maxClockSkewMs: envInt("MAX_CLOCK_SKEW_MS", 5 * 60_000, 0, 24 * 3_600_000),
  /** HMAC key of identifier pseudonyms (never echoed). Unset: the public development key. */
  idHashKey: Type.Optional(Type.String({ env: "ID_HASH_KEY", minLength: 32 })),
  /** Names the key in every pseudonym (`<id>~<hmac>`); required with ID_HASH_KEY. */
  idHashKeyId: Type.Optional(Type.String({ env: "ID_HASH_KEY_ID", pattern: "^[a-z0-9]{1,16}$" })),
};

/** Cross-field problems of EVENT_ADMISSION_CONFIG, for a service's loadEnv `finish`. */
export function eventAdmissionProblems(values: { idHashKey?: string; idHashKeyId?: string }): string[] {
  if (values.idHashKey !== undefined && values.idHashKeyId === undefined)
    return ["ID_HASH_KEY is set but ID_HASH_KEY_ID is not: name the key (for rotation)"];
  if (values.idHashKey === undefined && values.idHashKeyId !== undefined)
    return ["ID_HASH_KEY_ID is set but ID_HASH_KEY is not"];
  return [];
}

// An API started by test-support's harness, as bench:api-levels measures it: the store it reads,
// the pseudonyms it keys that store by, and on Redis the bytes of its hot entities.
import type { Checkout } from "@riskgate/feature-store/events";
import { redisLevelKeys } from "@riskgate/feature-store/level-bench";
import { type ApiHarness, bearer, pseudonymiser, TOKENS } from "@riskgate/test-support/api-harness";
import { Redis } from "ioredis";
import type { BenchedApi } from "./api-levels.ts";

/** The harness's API (no ID_HASH_KEY: the embedded default's pseudonymiser), "redis" or "memory". */
export function benchedApi(h: ApiHarness): BenchedApi {
  const ids = (c: Checkout) => pseudonymiser.checkout(c);
  const base = { app: h.app, store: h.store, ids, headers: bearer(TOKENS.score) };
  if (!h.redis) return { name: "memory", ...base };
  // MEMORY USAGE per key and the set-up's clean-up address one node: a cluster would need both per slot.
  if (!(h.redis instanceof Redis)) throw new Error("bench:api-levels needs a standalone Redis (REDIS_URL)");
  return { name: "redis", ...base, ...redisLevelKeys(h.redis, h.prefix, ids) };
}

/** The API's configuration over the harness's: these rules, and budgets no slow moment reaches. */
export function benchEnv(rulesFile: string): Record<string, string> {
  return {
    RULES_FILE: rulesFile,
    // CPU is measured, not latency: the same generous budgets on both stores, so a slow moment on a
    // shared box does not turn some checkouts degraded (another path) and the levels incomparable.
    FEATURE_TIMEOUT_MS: "2000",
    MODEL_TIMEOUT_MS: "2000",
  };
}

// An API as bench:api-levels measures it: the app, the store it reads, the pseudonyms it keys that
// store by, and on Redis the bytes of its hot entities; made from test-support's harness.
import type { Checkout } from "@riskgate/feature-store/events";
import { type Run, redisLevelKeys, type StoredIds } from "@riskgate/feature-store/level-bench";
import type { OnlineStore } from "@riskgate/feature-store/online";
import { type ApiHarness, bearer, pseudonymiser, TOKENS } from "@riskgate/test-support/api-harness";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";

/** An API under test: its app, the store it reads, and how that store names identifiers. */
export interface BenchedApi {
  readonly name: string;
  readonly app: FastifyInstance;
  readonly store: OnlineStore;
  /** The API's pseudonyms: the set-up writes the keys the API will read. */
  readonly ids: StoredIds;
  /** Authorization header of a key with the score scope. */
  readonly headers: Record<string, string>;
  /** Bytes of each hot entity of a run (`<entity>_bytes`), for a store that can tell: Redis. */
  readonly bytes?: (run: Run) => Promise<Record<string, number>>;
  /** After each set-up batch: drops what its checkouts wrote for their own user and device. */
  readonly forget?: (checkouts: readonly Checkout[]) => Promise<void>;
}

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

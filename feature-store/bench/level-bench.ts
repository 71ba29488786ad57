// bench:store's parts that services/scoring-api/bench/api-levels-bench.ts reuses (the package's
// `./level-bench` entry point): the card-testing workload and its set-up straight into a store,
// Redis bytes per hot entity, and the paired rounds; and the store's scripts.
import type { Redis } from "ioredis";
import type { Checkout } from "../src/events/index.ts";
import { RedisKeys } from "../src/online/redis-keys.ts";
import { forgetVisitors, hotEntityBytes, type Run, type StoredIds } from "./level-workload.ts";

// The store's two scripts as this tree has them: services/scoring-api/bench/script-cost-bench.ts
// times them (and another tree's) on captured calls.
export { APPLY_EVENT_LUA } from "../src/online/apply-event-lua.ts";
export { READ_ENTITIES_LUA } from "../src/online/read-entities-lua.ts";
export { cpuMicros, ratio, stopwatch, us } from "./bench-clock.ts";
export {
  checkoutOf,
  EVENTS_IN_A_DAY,
  levelRun,
  type Run,
  removeKeys,
  type StoredIds,
  setUpRuns,
  WARM_RUN,
} from "./level-workload.ts";
export { type LevelSpread, levelSpread, median, roundOrders } from "./paired-rounds.ts";

/** The hot entities' bytes, and the set-up's clean-up of each batch's visitors, under `prefix`. */
export function redisLevelKeys(redis: Redis, prefix: string, ids: StoredIds) {
  const keys = new RedisKeys(prefix);
  return {
    bytes: (run: Run) => hotEntityBytes(redis, keys, run, ids),
    forget: (checkouts: readonly Checkout[]) => forgetVisitors(redis, keys, checkouts),
  };
}

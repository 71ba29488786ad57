import type { Logger } from "@riskgate/common/logger";
import { duplicateRedisClient, type RedisClient } from "@riskgate/common/redis-client";
import { KillSwitch, type KillSwitchMetrics } from "./kill-switch.ts";
import { MemorySwitchStore } from "./memory-store.ts";
import { RedisSwitchStore, subscribeToChanges } from "./redis-store.ts";

export { KillSwitch } from "./kill-switch.ts";

export interface KillSwitchWiring {
  readonly redis?: RedisClient;
  /** Opens the dedicated pub/sub connection (the kill-switch owns and closes it). Default: a duplicate of `redis`. */
  readonly createSubscriber?: () => RedisClient;
  readonly prefix: string;
  readonly pollMs: number;
  readonly auditMaxEntries: number;
  readonly logger: Logger;
  readonly metrics: KillSwitchMetrics;
  readonly modelVersions: readonly string[];
  readonly now: () => number;
  /** KILL_SWITCH_DEFAULT: the global switch of a replica that cannot read the store at start. */
  readonly startDefault: "engaged" | "released";
}

/** The kill-switch for this replica: Redis-backed (pub/sub + poll) with a client, in-process without. */
export async function startKillSwitch(w: KillSwitchWiring): Promise<KillSwitch> {
  const common = { logger: w.logger, metrics: w.metrics, modelVersions: w.modelVersions, now: w.now };
  if (!w.redis) {
    const ks = new KillSwitch({ ...common, store: new MemorySwitchStore(w.auditMaxEntries), pollMs: 0 });
    await ks.start();
    return ks;
  }
  const redis = w.redis;
  const store = new RedisSwitchStore(redis, w.prefix, { auditMaxEntries: w.auditMaxEntries });
  const ks = new KillSwitch({
    ...common,
    store,
    pollMs: w.pollMs,
    startDefault: w.startDefault,
    subscribe: (onNotice) =>
      subscribeToChanges(
        // Off the scoring path: a subscribe may take longer than the hot-path command timeout.
        w.createSubscriber?.() ??
          duplicateRedisClient(redis, { name: "riskgate-scoring-api-killswitch", commandTimeoutMs: 2_000 }),
        store.keys.channel,
        onNotice,
        w.logger,
      ),
  });
  await ks.start();
  return ks;
}

// Kill-switch replicas over the test Redis for the propagation tests: clients and replicas the test
// file's afterAll closes, an operator's change, and an in-process wait that reports how long it took.
import type { RedisClient } from "@riskgate/common/redis-client";
import { createRedis } from "@riskgate/test-support/services";
import { pino } from "pino";
import { afterAll } from "vitest";
import { KillSwitch, type KillSwitchOptions } from "../../src/killswitch/kill-switch.ts";
import type { MemorySwitchStore } from "../../src/killswitch/memory-store.ts";
import type { RedisSwitchStore } from "../../src/killswitch/redis-store.ts";

export const logger = pino({ level: "silent" });

/** What a test file opens, closed newest first after its tests. Call once, at the file's top level. */
export function replicaFixtures() {
  const owned: { close(): Promise<unknown> }[] = [];
  afterAll(async () => {
    for (const o of owned.reverse()) await o.close();
  });
  return {
    own(o: { close(): Promise<unknown> }) {
      owned.push(o);
    },
    client(): RedisClient {
      const r = createRedis({ enableOfflineQueue: true });
      owned.push({ close: () => r.quit().catch(() => r.disconnect()) });
      return r;
    },
    replica(store: RedisSwitchStore | MemorySwitchStore, opts: Partial<KillSwitchOptions> = {}): KillSwitch {
      const ks = new KillSwitch({ store, logger, pollMs: 100, ...opts });
      owned.push(ks);
      return ks;
    },
  };
}

export const change = (engaged: boolean, reason = "test") => ({
  engaged,
  reason,
  actor: "key_test0001",
  at: new Date().toISOString(),
});

/** Polls an in-process condition every 5 ms for up to `ms`; the time it took. */
export async function within(ms: number, check: () => boolean): Promise<number> {
  const t0 = performance.now();
  while (!check()) {
    if (performance.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - t0;
}

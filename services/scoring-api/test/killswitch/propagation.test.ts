// The replica view of the kill-switch when Redis is away for it, staged through TCP proxies in front
// of the test Redis, or of each master of the Redis Cluster (outage-proxy.ts): the last state is kept
// and reported stale, a replica started without Redis serves KILL_SWITCH_DEFAULT, and each catches up
// once Redis is back. Also the in-memory store's contract. The propagation cases: propagation-redis.test.ts.
import { uniquePrefix } from "@riskgate/test-support/services";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { KillSwitchOptions } from "../../src/killswitch/kill-switch.ts";
import { MemorySwitchStore } from "../../src/killswitch/memory-store.ts";
import { RedisSwitchStore } from "../../src/killswitch/redis-store.ts";
import { GLOBAL, modelTarget } from "../../src/killswitch/types.ts";
import { createApiMetrics } from "../../src/metrics.ts";
import { connected, cut, outageProxy } from "./outage-proxy.ts";
import { change, replicaFixtures, within } from "./replica-fixtures.ts";

const { own, client, replica } = replicaFixtures();

/** A replica over a Redis it cannot reach at start (the proxy is down; `proxy.up()` brings it back). */
async function replicaWithoutRedis(prefix: string, opts: Partial<KillSwitchOptions>) {
  const proxy = await outageProxy(client(), own);
  await proxy.down();
  const store = new RedisSwitchStore(proxy.client(), prefix, { auditMaxEntries: 1_000 });
  return { proxy, ks: replica(store, { pollMs: 50, startWaitMs: 100, ...opts }) };
}

describe("kill-switch replicas while Redis is unreachable", () => {
  it("keeps the last known state when Redis is unreachable, says stale, and catches up after", async () => {
    const prefix = uniquePrefix("ks-outage");
    const writer = new RedisSwitchStore(client(), prefix, { auditMaxEntries: 1_000 });
    await writer.change(GLOBAL, change(true, "before the outage"));
    const proxy = await outageProxy(client(), own);
    const conn = proxy.client();
    await within(2_000, () => connected(conn));
    const metrics = createApiMetrics(new Registry());
    let now = Date.now();
    const ks = replica(new RedisSwitchStore(conn, prefix, { auditMaxEntries: 1_000 }), {
      pollMs: 60_000, // the test drives the polls
      staleAfterMs: 1_000,
      metrics,
      now: () => now,
    });
    await ks.start();
    expect(ks.globalEngaged()).toBe(true);
    const synced = ks.status().last_synced_at;

    await proxy.down(); // Redis away for this replica
    await within(2_000, () => cut(conn));
    await writer.change(GLOBAL, change(false, "during the outage"));
    now += 5_000;
    await ks.poll();
    expect(ks.globalEngaged()).toBe(true); // fail static: neither open nor closed
    expect(ks.status()).toMatchObject({ stale: true, last_synced_at: synced, store_version: 1 });
    expect((await metrics.killSwitchStale.get()).values[0]?.value).toBe(1);
    expect((await metrics.killSwitchEngaged.get()).values[0]?.value).toBe(1);

    await proxy.up();
    await within(2_000, () => connected(conn));
    // The replica's loop polls every pollMs; on a loaded machine the first poll after the reconnect
    // can still run into the 50 ms command timeout, so "catches up" is: within a few polls.
    for (let i = 0; i < 20 && ks.status().stale; i++) {
      await ks.poll();
      if (ks.status().stale) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ks.globalEngaged()).toBe(false);
    expect(ks.status()).toMatchObject({ stale: false, store_version: 2 });
    expect((await metrics.killSwitchStale.get()).values[0]?.value).toBe(0);
  });

  it("starts engaged (KILL_SWITCH_DEFAULT) and stale when the store cannot be read, then follows it", async () => {
    const prefix = uniquePrefix("ks-cold");
    const writer = new RedisSwitchStore(client(), prefix, { auditMaxEntries: 1_000 });
    await writer.change(GLOBAL, change(false, "released before the replica starts"));
    const { proxy, ks } = await replicaWithoutRedis(prefix, { startWaitMs: 300 });
    const t0 = performance.now();
    await ks.start(); // retries the first read for startWaitMs, then serves
    // It waited the start budget (less a few ms: timers and the two clocks are not exact).
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect(ks.globalEngaged()).toBe(true);
    expect(ks.state(GLOBAL)).toMatchObject({ actor: "system:kill-switch-default", version: 0 });
    expect(ks.status()).toMatchObject({ stale: true, last_synced_at: null });
    await proxy.up();
    await within(2_000, () => !ks.globalEngaged());
    expect(ks.status()).toMatchObject({ stale: false, store_version: 1 });
  });

  it("with KILL_SWITCH_DEFAULT=released starts disengaged; an empty store then confirms it", async () => {
    const { proxy, ks } = await replicaWithoutRedis(uniquePrefix("ks-cold-released"), {
      startDefault: "released",
    });
    await ks.start();
    expect(ks.globalEngaged()).toBe(false);
    expect(ks.status().last_synced_at).toBeNull();
    await proxy.up();
    await within(2_000, () => ks.status().last_synced_at !== null);
    expect(ks.globalEngaged()).toBe(false);
  });

  it("an engaged default gives way to an empty store (a new deployment), not only to a set switch", async () => {
    const { proxy, ks } = await replicaWithoutRedis(uniquePrefix("ks-cold-empty"), {});
    await ks.start();
    expect(ks.globalEngaged()).toBe(true);
    await proxy.up();
    await within(2_000, () => !ks.globalEngaged());
    expect(ks.status()).toMatchObject({ stale: false, store_version: 0 });
  });

  it("the in-memory store has the same contract", async () => {
    const store = new MemorySwitchStore(3);
    const ks = replica(store);
    await ks.start();
    await ks.set(GLOBAL, { engaged: true, reason: "a", actor: "key_1" });
    await ks.set(modelTarget("v2"), { engaged: true, reason: "b", actor: "key_1" });
    await ks.set(GLOBAL, { engaged: false, reason: "c", actor: "key_2" });
    await ks.set(GLOBAL, { engaged: true, reason: "d", actor: "key_2" });
    expect(ks.globalEngaged()).toBe(true);
    expect(ks.versionEngaged("v2")).toBe(true);
    expect(ks.state(GLOBAL)).toMatchObject({ engaged: true, reason: "d", actor: "key_2", version: 4 });
    expect((await ks.audit(10)).map((e) => [e.version, e.previous_engaged])).toEqual([
      [4, false],
      [3, true],
      [2, false],
    ]);
    expect(ks.status()).toMatchObject({ store: "memory", stale: false, store_version: 4 });
  });
});

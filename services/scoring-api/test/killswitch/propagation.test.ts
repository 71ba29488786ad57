// The replica view of the kill-switch when Redis is away, staged through a TCP proxy in front of the
// standalone Redis (a proxy cannot stand in front of a Redis Cluster: clients follow the addresses the
// nodes announce; a cluster's outage is staged by killing a master in
// resilience/cluster-master-failure.test.ts): the last state is kept and reported stale, a replica
// started without Redis serves KILL_SWITCH_DEFAULT, and each catches up once Redis is back. Also the
// in-memory store's contract. The propagation cases that also run on a Cluster: propagation-redis.test.ts.
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { redisUrl, uniquePrefix } from "@riskgate/test-support/services";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { KillSwitchOptions } from "../../src/killswitch/kill-switch.ts";
import { MemorySwitchStore } from "../../src/killswitch/memory-store.ts";
import { RedisSwitchStore } from "../../src/killswitch/redis-store.ts";
import { GLOBAL, modelTarget } from "../../src/killswitch/types.ts";
import { createApiMetrics } from "../../src/metrics.ts";
import { change, replicaFixtures, within } from "./replica-fixtures.ts";

const { own, client, replica } = replicaFixtures();

/** A TCP proxy in front of the real Redis that a test can cut and restore: a Redis outage for one client. */
async function outageProxy() {
  const target = new URL(redisUrl());
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const up = () =>
    new Promise<void>((resolve) => {
      const srv = createServer((client) => {
        const upstream = tcpConnect(Number(target.port || 6379), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => {});
        }
        client.pipe(upstream).pipe(client);
      });
      server = srv;
      srv.listen(port, "127.0.0.1", () => {
        port = (srv.address() as { port: number }).port;
        resolve();
      });
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (server) server.close(() => resolve());
      else resolve();
      server = undefined;
    });
  await up();
  const proxy = { up, down, url: () => `redis://127.0.0.1:${port}` };
  own({ close: down });
  return proxy;
}

/** A replica-like client (no offline queue, short timeout) that reconnects quickly. */
function replicaClient(url: string): Redis {
  const r = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: 50,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 20,
  });
  r.on("error", () => {});
  own({ close: async () => r.disconnect() });
  return r;
}

/** A replica over a Redis it cannot reach at start (the proxy is down; `proxy.up()` brings it back). */
async function replicaWithoutRedis(prefix: string, opts: Partial<KillSwitchOptions>) {
  const proxy = await outageProxy();
  await proxy.down();
  const store = new RedisSwitchStore(replicaClient(proxy.url()), prefix, { auditMaxEntries: 1_000 });
  return { proxy, ks: replica(store, { pollMs: 50, startWaitMs: 100, ...opts }) };
}

describe("kill-switch replicas while Redis is unreachable", () => {
  it("keeps the last known state when Redis is unreachable, says stale, and catches up after", async () => {
    const prefix = uniquePrefix("ks-outage");
    const writer = new RedisSwitchStore(client(), prefix, { auditMaxEntries: 1_000 });
    await writer.change(GLOBAL, change(true, "before the outage"));
    const proxy = await outageProxy();
    const conn = replicaClient(proxy.url());
    await within(2_000, () => conn.status === "ready");
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
    await within(2_000, () => conn.status !== "ready");
    await writer.change(GLOBAL, change(false, "during the outage"));
    now += 5_000;
    await ks.poll();
    expect(ks.globalEngaged()).toBe(true); // fail static: neither open nor closed
    expect(ks.status()).toMatchObject({ stale: true, last_synced_at: synced, store_version: 1 });
    expect((await metrics.killSwitchStale.get()).values[0]?.value).toBe(1);
    expect((await metrics.killSwitchEngaged.get()).values[0]?.value).toBe(1);

    await proxy.up();
    await within(2_000, () => conn.status === "ready");
    await ks.poll();
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

// The replica view of the kill-switch against the real Redis: pub/sub and the poll each propagate
// a change on their own, concurrent changes stay atomic, and a Redis outage keeps the last state.
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import type { RedisClient } from "@riskgate/common/redis-client";
import {
  createRedis,
  redisUrl,
  testRedisIsCluster,
  uniquePrefix,
  waitFor,
} from "@riskgate/test-support/services";
import { Cluster, Redis } from "ioredis";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { KillSwitch } from "../../src/killswitch/kill-switch.ts";
import { MemorySwitchStore } from "../../src/killswitch/memory-store.ts";
import { RedisSwitchStore, subscribeToChanges } from "../../src/killswitch/redis-store.ts";
import { GLOBAL, modelTarget } from "../../src/killswitch/types.ts";
import { createApiMetrics } from "../../src/metrics.ts";

const logger = pino({ level: "silent" });
const owned: { close(): Promise<unknown> }[] = [];
afterAll(async () => {
  for (const o of owned.reverse()) await o.close();
});

function client(): RedisClient {
  const r = createRedis({ enableOfflineQueue: true });
  owned.push({ close: () => r.quit().catch(() => r.disconnect()) });
  return r;
}

function replica(
  store: RedisSwitchStore | MemorySwitchStore,
  opts: Partial<ConstructorParameters<typeof KillSwitch>[0]> = {},
) {
  const ks = new KillSwitch({ store, logger, pollMs: 100, ...opts });
  owned.push(ks);
  return ks;
}

/** Subscribers of `channel`: PUBSUB NUMSUB answers for one node, so a Cluster's masters are summed. */
async function subscribers(r: RedisClient, channel: string): Promise<number> {
  const nodes = r instanceof Cluster ? r.nodes("master") : [r];
  let n = 0;
  for (const node of nodes) n += ((await node.pubsub("NUMSUB", channel)) as [string, number])[1];
  return n;
}

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
  owned.push({ close: down });
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
  owned.push({ close: async () => r.disconnect() });
  return r;
}

const change = (engaged: boolean, reason = "test") => ({
  engaged,
  reason,
  actor: "key_test0001",
  at: new Date().toISOString(),
});

async function within(ms: number, check: () => boolean): Promise<number> {
  const t0 = performance.now();
  while (!check()) {
    if (performance.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - t0;
}

const onCluster = testRedisIsCluster();

describe("kill-switch propagation", () => {
  it("the poll alone picks up a change nobody announced (pub/sub missed)", async () => {
    const prefix = uniquePrefix("ks-poll");
    // publish: false — the change script announces nothing; the replica has no subscriber either.
    const writer = new RedisSwitchStore(client(), prefix, { auditMaxEntries: 1_000, publish: false });
    const ks = replica(new RedisSwitchStore(client(), prefix, { auditMaxEntries: 1_000 }), { pollMs: 100 });
    await ks.start();
    expect(ks.globalEngaged()).toBe(false);

    await writer.change(GLOBAL, change(true, "via store, silently"));
    const took = await within(1_000, () => ks.globalEngaged());
    console.info(`kill-switch propagation by poll alone (poll every 100 ms): ${took.toFixed(1)} ms`);
    expect(took).toBeLessThan(1_000);
    expect(ks.state(GLOBAL)).toMatchObject({ engaged: true, reason: "via store, silently", version: 1 });
    expect(ks.status()).toMatchObject({ store_version: 1, stale: false });

    await writer.change(modelTarget("v7"), change(true));
    await within(1_000, () => ks.versionEngaged("v7"));
    expect(ks.versionEngaged("v8")).toBe(false);
  });

  it("pub/sub alone propagates at once (the poll is too slow to be the one that did it)", async () => {
    const prefix = uniquePrefix("ks-pubsub");
    const store = new RedisSwitchStore(client(), prefix, { auditMaxEntries: 1_000 });
    const ks = replica(new RedisSwitchStore(client(), prefix, { auditMaxEntries: 1_000 }), {
      pollMs: 60_000,
      subscribe: (onNotice) => subscribeToChanges(client(), store.keys.channel, onNotice, logger),
    });
    await ks.start();
    const observer = client();
    await waitFor(async () => (await subscribers(observer, store.keys.channel)) > 0, {
      what: "the replica's SUBSCRIBE to land",
      intervalMs: 5,
    });
    const t0 = performance.now();
    await store.change(GLOBAL, change(true));
    await within(500, () => ks.globalEngaged());
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it("numbers concurrent changes 1..n with no gaps and audits each once", async () => {
    const prefix = uniquePrefix("ks-atomic");
    const stores = [0, 1, 2].map(() => new RedisSwitchStore(client(), prefix, { auditMaxEntries: 1_000 }));
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (stores[i % 3] as RedisSwitchStore).change(GLOBAL, change(i % 2 === 0, `change ${i}`)),
      ),
    );
    expect(results.map((r) => r.version).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    const store = stores[0] as RedisSwitchStore;
    expect(await store.readVersion()).toBe(30);
    const audit = await store.audit(100);
    expect(audit.map((e) => e.version)).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    // previous_engaged chains: each entry's previous state is the one before it.
    for (let i = 0; i + 1 < audit.length; i++) {
      expect(audit[i]?.previous_engaged).toBe(audit[i + 1]?.engaged);
    }
    const final = (await store.read()).switches.get(GLOBAL);
    expect(final?.version).toBe(30);
    expect(final?.engaged).toBe(audit[0]?.engaged);
  });

  // A TCP proxy cannot stand in front of a Redis Cluster (clients follow the addresses the nodes
  // announce): the proxy-staged outages run on the standalone Redis only; a cluster's outage is
  // staged by killing a master (resilience/cluster-master-failure.test.ts).
  it.skipIf(onCluster)(
    "keeps the last known state when Redis is unreachable, says stale, and catches up after",
    async () => {
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
    },
  );

  it.skipIf(onCluster)(
    "starts engaged (KILL_SWITCH_DEFAULT) and stale when the store cannot be read, then follows it",
    async () => {
      const prefix = uniquePrefix("ks-cold");
      const writer = new RedisSwitchStore(client(), prefix, { auditMaxEntries: 1_000 });
      await writer.change(GLOBAL, change(false, "released before the replica starts"));
      const proxy = await outageProxy();
      await proxy.down();
      const conn = replicaClient(proxy.url());
      const ks = replica(new RedisSwitchStore(conn, prefix, { auditMaxEntries: 1_000 }), {
        pollMs: 50,
        startWaitMs: 300,
      });
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
    },
  );

  it.skipIf(onCluster)(
    "with KILL_SWITCH_DEFAULT=released starts disengaged; an empty store then confirms it",
    async () => {
      const proxy = await outageProxy();
      await proxy.down();
      const ks = replica(new RedisSwitchStore(replicaClient(proxy.url()), uniquePrefix("ks-cold-released")), {
        pollMs: 50,
        startWaitMs: 100,
        startDefault: "released",
      });
      await ks.start();
      expect(ks.globalEngaged()).toBe(false);
      expect(ks.status().last_synced_at).toBeNull();
      await proxy.up();
      await within(2_000, () => ks.status().last_synced_at !== null);
      expect(ks.globalEngaged()).toBe(false);
    },
  );

  it.skipIf(onCluster)(
    "an engaged default gives way to an empty store (a new deployment), not only to a set switch",
    async () => {
      const proxy = await outageProxy();
      await proxy.down();
      const ks = replica(new RedisSwitchStore(replicaClient(proxy.url()), uniquePrefix("ks-cold-empty")), {
        pollMs: 50,
        startWaitMs: 100,
      });
      await ks.start();
      expect(ks.globalEngaged()).toBe(true);
      await proxy.up();
      await within(2_000, () => !ks.globalEngaged());
      expect(ks.status()).toMatchObject({ stale: false, store_version: 0 });
    },
  );

  it("caps the audit stream approximately, never dropping the newest entries", async () => {
    const prefix = uniquePrefix("ks-cap");
    const store = new RedisSwitchStore(client(), prefix, { auditMaxEntries: 10 });
    for (let i = 0; i < 300; i++) await store.change(GLOBAL, change(i % 2 === 0, `c${i}`));
    const len = await client().xlen(store.keys.audit);
    expect(len).toBeLessThan(300);
    expect(len).toBeGreaterThanOrEqual(10);
    const newest = await store.audit(10);
    expect(newest.map((e) => e.reason)).toEqual(Array.from({ length: 10 }, (_, i) => `c${299 - i}`));
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

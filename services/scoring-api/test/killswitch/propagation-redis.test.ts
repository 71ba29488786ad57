// The replica view of the kill-switch through Redis: pub/sub and the poll each propagate a change
// on their own, concurrent changes stay atomic, and the audit stream stays capped. Run on the
// standalone Redis (integration project) and again on the Redis Cluster (cluster project); the
// outages are in propagation.test.ts.
import type { RedisClient } from "@riskgate/common/redis-client";
import { uniquePrefix, waitFor } from "@riskgate/test-support/services";
import { Cluster } from "ioredis";
import { describe, expect, it } from "vitest";
import { RedisSwitchStore, subscribeToChanges } from "../../src/killswitch/redis-store.ts";
import { GLOBAL, modelTarget } from "../../src/killswitch/types.ts";
import { change, logger, replicaFixtures, within } from "./replica-fixtures.ts";

const { client, replica } = replicaFixtures();

/** Subscribers of `channel`: PUBSUB NUMSUB answers for one node, so a Cluster's masters are summed. */
async function subscribers(r: RedisClient, channel: string): Promise<number> {
  const nodes = r instanceof Cluster ? r.nodes("master") : [r];
  let n = 0;
  for (const node of nodes) n += ((await node.pubsub("NUMSUB", channel)) as [string, number])[1];
  return n;
}

describe("kill-switch propagation through Redis", () => {
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
});

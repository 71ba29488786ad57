// Kill-switch state is monotonic and survives Redis data loss: replicas that hold a newer state
// than the store (flushed, restarted without persistence, restored from an old backup) write it
// back, so an engaged switch stays engaged until an operator releases it. Real Redis, two replicas.

import type { RedisClient } from "@riskgate/common/redis-client";
import { createRedis, uniquePrefix } from "@riskgate/test-support/services";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { KillSwitch } from "../../src/killswitch/kill-switch.ts";
import { MemorySwitchStore } from "../../src/killswitch/memory-store.ts";
import { RedisSwitchStore } from "../../src/killswitch/redis-store.ts";
import { GLOBAL, modelTarget } from "../../src/killswitch/types.ts";

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

async function replicas(prefix: string, n: number): Promise<KillSwitch[]> {
  const out: KillSwitch[] = [];
  for (let i = 0; i < n; i++) {
    const ks = new KillSwitch({ store: new RedisSwitchStore(client(), prefix), logger, pollMs: 50 });
    owned.push(ks);
    await ks.start();
    out.push(ks);
  }
  return out;
}

const change = (engaged: boolean, reason: string) => ({ engaged, reason, actor: "key_op000001" });

async function within(ms: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("kill-switch across Redis data loss", () => {
  it("replicas keep an engaged switch and write it back into a flushed store, audited", async () => {
    const prefix = uniquePrefix("ks-loss");
    const [a, b] = await replicas(prefix, 2);
    if (!a || !b) throw new Error("two replicas");
    await a.set(GLOBAL, change(true, "incident 4711"));
    await a.set(modelTarget("v9"), change(true, "canary regression"));
    await within(1_000, () => b.status().store_version === 2);
    const store = new RedisSwitchStore(client(), prefix);

    // The data is gone (FLUSHALL of this deployment's keys; the shared Redis holds other tests').
    await client().del(store.keys.state, store.keys.audit);

    // Within a poll or two the store holds the state again, at a version above what replicas had.
    await within(1_000, async () => (await store.readVersion()) > 2);
    const restored = await store.read();
    expect(restored.switches.get(GLOBAL)).toMatchObject({ engaged: true, reason: "incident 4711" });
    expect(restored.switches.get(modelTarget("v9"))).toMatchObject({ engaged: true });
    // Not for one poll did a replica lift the switch.
    for (const ks of [a, b]) {
      expect(ks.globalEngaged()).toBe(true);
      expect(ks.versionEngaged("v9")).toBe(true);
    }
    await within(1_000, () => a.status().store_version === restored.version);
    await within(1_000, () => b.status().store_version === restored.version);
    const audit = await store.audit(10);
    expect(audit.map((e) => [e.target, e.engaged, e.actor])).toEqual(
      expect.arrayContaining([
        [GLOBAL, true, "system:replica-restore"],
        [modelTarget("v9"), true, "system:replica-restore"],
      ]),
    );
    expect(audit[0]?.reason).toMatch(/Redis lost its data/);

    // Only an operator releases it, and the release numbers above the restored state.
    await b.set(GLOBAL, change(false, "resolved"));
    await within(1_000, () => !a.globalEngaged());
    expect((await store.read()).switches.get(GLOBAL)).toMatchObject({
      engaged: false,
      actor: "key_op000001",
    });
  });

  it("an operator's change right after the loss restores first, so no replica writes over it", async () => {
    const prefix = uniquePrefix("ks-loss-change");
    const [a, b] = await replicas(prefix, 2);
    if (!a || !b) throw new Error("two replicas");
    for (let i = 0; i < 5; i++) await a.set(GLOBAL, change(i % 2 === 0, `flip ${i}`)); // ends engaged
    await within(1_000, () => b.status().store_version === 5);
    const store = new RedisSwitchStore(client(), prefix);
    await client().del(store.keys.state);
    // Before any poll notices, an operator releases through A: it must not come back as version 1.
    await a.set(GLOBAL, change(false, "released after the loss"));
    const after = await store.read();
    expect(after.version).toBeGreaterThan(5);
    expect(after.switches.get(GLOBAL)).toMatchObject({ engaged: false, reason: "released after the loss" });
    await within(1_000, () => !b.globalEngaged());
    // B saw nothing older than what it held and restored nothing over the release.
    await new Promise((r) => setTimeout(r, 200));
    expect((await store.read()).switches.get(GLOBAL)).toMatchObject({ engaged: false });
  });

  it("restores only while the store is behind, keeping a switch set after the loss", async () => {
    const prefix = uniquePrefix("ks-loss-keep");
    const r = client();
    const store = new RedisSwitchStore(r, prefix);
    await store.change(GLOBAL, { ...change(true, "old"), at: new Date().toISOString() });
    const held = await store.read(); // what a replica holds: version 1, global engaged
    await r.del(store.keys.state);
    await store.change(modelTarget("v2"), {
      ...change(true, "set after the loss"),
      at: new Date().toISOString(),
    });
    // Store at version 1 (the new change), replica at 1: not behind, nothing restored.
    expect(await store.restore(held, { actor: "t", reason: "t", at: "t" })).toBe(1);
    expect((await store.read()).switches.has(GLOBAL)).toBe(false);
    // A replica at version 3 is ahead: its global switch comes back, the post-loss switch stays.
    const ahead = { version: 3, switches: held.switches };
    expect(await store.restore(ahead, { actor: "t", reason: "t", at: "t" })).toBe(4);
    const now = await store.read();
    expect(now.switches.get(GLOBAL)).toMatchObject({ engaged: true, reason: "old" });
    expect(now.switches.get(modelTarget("v2"))).toMatchObject({ reason: "set after the loss" });
    // The memory store keeps the same contract.
    const mem = new MemorySwitchStore();
    expect(await mem.restore(ahead, { actor: "t", reason: "t", at: "t" })).toBe(4);
    expect((await mem.read()).switches.get(GLOBAL)).toMatchObject({ engaged: true });
    expect((await mem.audit(5))[0]).toMatchObject({ target: GLOBAL, actor: "t", version: 4 });
  });
});

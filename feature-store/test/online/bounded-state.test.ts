// Both stores keep bounded state and compute the same numbers from it: windowed counts from time
// buckets, distinct counts exact up to the cap then HyperLogLog, dedup over the latest event ids.

import { checkout, checkoutMessage, payment, T0 } from "@riskgate/test-support/events";
import { afterAll, describe, expect, it } from "vitest";
import { DEDUP_EVENTS, DISTINCT_EXACT_CAP, HLL_ERROR_BOUND } from "../../src/definitions/bounded-state.ts";
import { FeatureSet } from "../../src/definitions/feature-set.ts";
import { FEATURES } from "../../src/definitions/features.ts";
import { DAY, HOUR, MINUTE } from "../../src/definitions/time.ts";
import type { DomainEvent } from "../../src/events/index.ts";
import type { OnlineStore } from "../../src/online/contract.ts";
import { readCheckoutFeatures } from "../../src/online/read-features.ts";
import { update } from "../../src/update/update.ts";
import { memoryFactory, redisFactory, type StoreFactory } from "./store-fixtures.ts";

const features = new FeatureSet(FEATURES);
const factories: StoreFactory[] = [memoryFactory(), redisFactory()];
afterAll(async () => {
  for (const f of factories) await f.close();
});

async function applyAll(store: OnlineStore, events: readonly DomainEvent[]) {
  for (let i = 0; i < events.length; i += 500) {
    await store.applyBatch(events.slice(i, i + 500).map((e) => update(e)));
  }
}

async function featuresAt(store: OnlineStore, at: number, over = {}) {
  return features.toRecord(await readCheckoutFeatures(store, features, checkoutMessage("probe", at, over)));
}

/** A card-testing run: one listing, host and IP; a new user, device and card every 20 seconds. */
const hotRun = (n: number, from: number) =>
  Array.from({ length: n }, (_, i) =>
    checkoutMessage(`hot${i}`, from + i * 20_000, {
      user: { id: `u_${i}`, created_at: "2025-01-01T00:00:00Z" },
      device: { id: `d_${i % 700}`, ip: "10.0.0.1" },
      payment: { instrument_id: "pi_1", type: "card", country: "DE", billing_country: "DE" },
    }),
  );

describe.each(factories)("bounded state: $name", (factory) => {
  it("counts a window from buckets aligned to the window's unit", async () => {
    const { store } = factory.create();
    const at = T0 + 10 * HOUR + 30_000;
    await applyAll(store, [
      payment("old", at, { status: "failed" }),
      payment("new", at + 30 * MINUTE, { status: "failed" }),
    ]);
    expect((await featuresAt(store, at + 59 * MINUTE)).instrument_failed_1h).toBe(2);
    // 10:00:30 is inside the exact last hour at 11:00:10, but in the minute bucket before the
    // hour of minute buckets read then: a bucketed count lies between the last 59 and 60 minutes.
    expect((await featuresAt(store, at + HOUR - 20_000)).instrument_failed_1h).toBe(1);
    expect((await featuresAt(store, at + 30 * MINUTE)).instrument_failed_10m).toBe(1);
  });

  it("counts distinct members exactly up to the cap and estimates beyond it", async () => {
    const { store } = factory.create();
    await applyAll(store, hotRun(DISTINCT_EXACT_CAP, T0));
    const atCap = await featuresAt(store, T0 + DAY / 2);
    expect(atCap.ip_distinct_users_24h).toBe(DISTINCT_EXACT_CAP);
    expect(atCap.host_distinct_guests_24h).toBe(DISTINCT_EXACT_CAP);

    await applyAll(store, hotRun(3_000, T0 + DAY / 2));
    // The same 64 users and 2,936 more in the last 16.7 hours, all in the window's two half-day
    // buckets: the estimate is within its bound of 3,000.
    const f = await featuresAt(store, T0 + DAY / 2 + 3_000 * 20_000);
    expect(Math.abs((f.ip_distinct_users_24h as number) - 3_000)).toBeLessThan(HLL_ERROR_BOUND * 3_000);
    // The read falls on a minute boundary: 59 full minute buckets and its own, still empty.
    expect(f.ip_checkouts_1h).toBe(177);
  }, 120_000);

  it("reads a member as new once more than the cap of newer members pushed it out", async () => {
    const { store } = factory.create();
    const at = T0 + 2 * DAY;
    const logins = Array.from({ length: DISTINCT_EXACT_CAP + 1 }, (_, i) =>
      payment(`p${i}`, T0 + i * MINUTE, { device_id: `d_${i}` }),
    );
    await applyAll(store, logins);
    const device = (id: string) => ({ device: { id, ip: "10.0.0.1", ip_country: "PT" } });
    expect((await featuresAt(store, at, device("d_0"))).new_device_for_user).toBe(1);
    expect((await featuresAt(store, at, device("d_1"))).new_device_for_user).toBe(0);
    expect((await featuresAt(store, at, device(`d_${DISTINCT_EXACT_CAP}`))).new_device_for_user).toBe(0);
  });

  it("refuses a redelivery among the entity's latest event ids, and keeps only that many", async () => {
    const { store } = factory.create();
    const events = Array.from({ length: DEDUP_EVENTS + 10 }, (_, i) =>
      payment(`p${i}`, T0 + i * MINUTE, { status: "succeeded" }),
    );
    await applyAll(store, events);
    const latest = events.at(-1) as DomainEvent;
    expect((await store.apply(update(latest))).outcomes.every((o) => o === "duplicate")).toBe(true);
    const recent = events[events.length - DEDUP_EVENTS] as DomainEvent;
    expect((await store.apply(update(recent))).outcomes.every((o) => o === "duplicate")).toBe(true);
    // Older than every id remembered: applied again (README: the dedup window is bounded).
    const first = events[0] as DomainEvent;
    expect((await store.apply(update(first))).outcomes.every((o) => o === "applied")).toBe(true);
  });
});

describe("memory and Redis stores agree past the caps", () => {
  it("return the same state fields, and no more on a hot entity past the caps than at its tenth event", async () => {
    const stores = factories.map((f) => f.create().store);
    // Per entity of a probe checkout (the hot IP, listing and host among them), the field names read.
    const fieldNames = async (store: OnlineStore, at: number) => {
      const raw = await store.read(features.plan(checkout("probe", at), at));
      return raw.map((s) => Object.keys(s.fields ?? {}).sort());
    };
    const run = hotRun(3_000, T0);
    const tenth = Date.parse((run[9] as DomainEvent).occurred_at);
    const last = Date.parse((run.at(-1) as DomainEvent).occurred_at);
    const cold = [];
    const hot = [];
    for (const store of stores) {
      await applyAll(store, run.slice(0, 10));
      cold.push(await fieldNames(store, tenth));
      await applyAll(store, run.slice(10));
      hot.push(await fieldNames(store, last));
    }
    expect(cold[0]?.some((names) => names.length > 0)).toBe(true);
    expect(hot).toEqual(cold);
    expect(cold[1]).toEqual(cold[0]);
  }, 120_000);

  it("on a hot listing, host, IP and card: every feature, HyperLogLog estimates included", async () => {
    const memory = factories[0] as StoreFactory;
    const redis = factories[1] as StoreFactory;
    const { store: m } = memory.create();
    const { store: r } = redis.create();
    // Four days of a run, read as it goes, so the half-day HyperLogLog buckets rotate.
    const events = hotRun(4 * 4_320, T0).filter((_, i) => i % 3 === 0);
    let from = Number.NEGATIVE_INFINITY;
    for (const until of [T0 + DAY + 7 * HOUR, T0 + 3 * DAY, T0 + 4 * DAY]) {
      const batch = events.filter(
        (e) => Date.parse(e.occurred_at) >= from && Date.parse(e.occurred_at) < until,
      );
      from = until;
      await applyAll(m, batch);
      await applyAll(r, batch);
      for (const at of [until, until + 5 * HOUR]) {
        const expected = await featuresAt(m, at);
        expect(expected.ip_distinct_users_24h).toBeGreaterThan(DISTINCT_EXACT_CAP);
        expect(await featuresAt(r, at)).toEqual(expected);
      }
    }
  }, 180_000);
});

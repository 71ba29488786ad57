import { checkout, T0 } from "@riskgate/test-support/events";
import { afterAll, describe, expect, it } from "vitest";
import { FeatureSet } from "../../src/definitions/feature-set.ts";
import { FEATURES } from "../../src/definitions/features.ts";
import { MINUTE } from "../../src/definitions/time.ts";
import { readAndCountCheckout, readCheckoutFeatures } from "../../src/online/read-features.ts";
import { update } from "../../src/update/update.ts";
import { memoryFactory, redisFactory, type StoreFactory } from "./store-fixtures.ts";

const features = new FeatureSet(FEATURES);
const factories: StoreFactory[] = [memoryFactory(), redisFactory()];
afterAll(async () => {
  for (const f of factories) await f.close();
});

// Checkouts of one user on one device, card and IP, a second apart.
const burst = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    checkout(`b${i}`, T0 + i * 1_000, { user: { id: "u_b", created_at: "2025-01-01T00:00:00Z" } }),
  );

describe.each(factories)("readThenApply: $name", (factory) => {
  it("reads the state from before the update, then applies it", async () => {
    const { store } = factory.create();
    const [first, second] = burst(2) as [ReturnType<typeof checkout>, ReturnType<typeof checkout>];
    const a = features.toRecord(await readAndCountCheckout(store, features, first));
    expect(a.user_checkouts_1h).toBe(0);
    const b = features.toRecord(await readAndCountCheckout(store, features, second));
    expect(b.user_checkouts_1h).toBe(1);
    const probe = features.toRecord(
      await readCheckoutFeatures(store, features, checkout("p", T0 + MINUTE, { user: second.user })),
    );
    expect(probe.user_checkouts_1h).toBe(2);
    expect(probe.device_checkouts_1h).toBe(2);
    expect(probe.ip_checkouts_1h).toBe(2);
  });

  it("gives each checkout of a parallel burst a different count: the ones counted before it", async () => {
    const { store } = factory.create();
    const vectors = await Promise.all(burst(12).map((c) => readAndCountCheckout(store, features, c)));
    const seen = vectors.map((v) => features.toRecord(v).user_checkouts_1h as number).sort((x, y) => x - y);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it("reports each entity's outcome: a checkout counted again is a duplicate, and reads the same", async () => {
    const { store } = factory.create();
    const c = checkout("again", T0);
    const asOf = Date.parse(c.occurred_at);
    const once = await store.readThenApply(features.plan(c, asOf), update({ type: "checkout", ...c }));
    expect(new Set(once.applied.outcomes)).toEqual(new Set(["applied"]));
    const twice = await store.readThenApply(features.plan(c, asOf), update({ type: "checkout", ...c }));
    expect(new Set(twice.applied.outcomes)).toEqual(new Set(["duplicate"]));
    expect(features.toRecord(features.compute(c, asOf, twice.state)).user_checkouts_1h).toBe(1);
    expect(twice.state.length).toBe(once.state.length);
  });
});

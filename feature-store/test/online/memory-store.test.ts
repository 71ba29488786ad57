// The in-memory store holds a bounded number of entities: every new user, device and card is one,
// so without a bound the embedded default's memory grew with traffic (2 million entities, 4.3 GB in
// bench:store). Past the bound the entities written least recently are forgotten, as their Redis keys
// would expire.

import { checkout, payment, T0 } from "@riskgate/test-support/events";
import { describe, expect, it } from "vitest";
import { FeatureSet } from "../../src/definitions/feature-set.ts";
import { FEATURES } from "../../src/definitions/features.ts";
import { MINUTE } from "../../src/definitions/time.ts";
import { MemoryStore } from "../../src/online/memory-store.ts";
import { readCheckoutFeatures } from "../../src/online/read-features.ts";
import { update } from "../../src/update/update.ts";

const features = new FeatureSet(FEATURES);

/** A failed payment on `card`, by a user and device of the same name. */
const failed = (id: string, card: string, at: number) =>
  update(
    payment(id, at, {
      status: "failed",
      user_id: `u_${card}`,
      device_id: `d_${card}`,
      payment_instrument_id: card,
    }),
  );

async function failedOnCard(store: MemoryStore, card: string, at: number): Promise<number> {
  const c = checkout(`probe-${card}`, at, {
    payment: { instrument_id: card, type: "card", country: "PT", billing_country: "PT" },
  });
  return features.toRecord(await readCheckoutFeatures(store, features, c)).instrument_failed_24h as number;
}

/** Two cards fail first; then 20 rounds, each a new card (its user and device too) and `keep` again. */
async function run(store: MemoryStore, afterEach: () => void = () => {}): Promise<number> {
  let t = T0;
  await store.apply(failed("keep-0", "keep", t++));
  await store.apply(failed("gone-0", "gone", t++));
  for (let i = 1; i <= 20; i++) {
    await store.apply(failed(`new-${i}`, `new${i}`, t++));
    afterEach();
    await store.apply(failed(`keep-${i}`, "keep", t++));
    afterEach();
  }
  return t + MINUTE;
}

describe("MemoryStore entity bound", () => {
  it("keeps at most maxEntities, forgetting the ones written least recently and counting each", async () => {
    let evicted = 0;
    const sizes: number[] = [];
    const store = new MemoryStore({ maxEntities: 32, onEvicted: (n) => (evicted += n) });
    const at = await run(store, () => sizes.push(store.size));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(32);
    // Written in every round: still counted whole.
    expect(await failedOnCard(store, "keep", at)).toBe(21);
    // Written once, at the start: forgotten, as if its keys had expired.
    expect(await failedOnCard(store, "gone", at)).toBe(0);
    // One eviction per entity over the bound: all there were, less the ones still held.
    const unbounded = new MemoryStore({ maxEntities: Number.POSITIVE_INFINITY });
    await run(unbounded);
    expect(evicted).toBe(unbounded.size - store.size);
  });

  it("forgets nothing below its bound", async () => {
    let evicted = 0;
    const store = new MemoryStore({ maxEntities: 1_000, onEvicted: (n) => (evicted += n) });
    const at = await run(store);
    expect(await failedOnCard(store, "gone", at)).toBe(1);
    expect(await failedOnCard(store, "keep", at)).toBe(21);
    expect(evicted).toBe(0);
  });

  it("refuses a bound too small for the entities of one event in each generation", () => {
    expect(() => new MemoryStore({ maxEntities: 31 })).toThrow(RangeError);
  });
});

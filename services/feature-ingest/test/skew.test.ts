// Training/serving skew: the features the backfill wrote for training must be exactly the ones the
// serving path computes for the same checkout, whether events reach the store through Kafka and
// feature-ingest into Redis, or straight into the memory store.

import type { LogEntry } from "@riskgate/feature-store/backfill";
import type { Checkout, CheckoutMessage } from "@riskgate/feature-store/events";
import { MemoryStore, readCheckoutFeatures } from "@riskgate/feature-store/online";
import { update } from "@riskgate/feature-store/update";
import { backfilledWorld } from "@riskgate/test-support/backfilled-world";
import { features, IngestHarness, pseudonymiser } from "@riskgate/test-support/ingest-harness";
import type { Generated } from "@riskgate/test-support/simulated-world";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let world: Generated;
let log: LogEntry[];
let trainingRows: Map<string, number[]>;

const body = (e: CheckoutMessage): Checkout => {
  const { type: _type, ...rest } = e;
  return rest;
};

beforeAll(async () => {
  ({
    world,
    log,
    rows: trainingRows,
  } = await backfilledWorld(features, { seed: 11, days: 4, checkoutsPerDay: 150 }));
}, 120_000);

afterAll(async () => {
  await world?.cleanup();
});

describe("training/serving skew", () => {
  it("the memory store, read as the API reads it, gives every backfilled row exactly", async () => {
    const store = new MemoryStore();
    let compared = 0;
    for (const { event } of log) {
      if (event.type === "checkout") {
        // Raw identifiers here, pseudonyms in the table: the same features under any key.
        const vector = await readCheckoutFeatures(store, features, body(event));
        expect(vector.values, event.event_id).toEqual(trainingRows.get(event.event_id));
        compared++;
      }
      await store.apply(update(event));
    }
    expect(compared).toBe(trainingRows.size);
    expect(compared).toBeGreaterThan(400);
  });

  it("events through Kafka and feature-ingest into Redis give the backfilled rows exactly", async () => {
    const harness = new IngestHarness("skew");
    try {
      await harness.createTopics(2);
      const { metrics } = await harness.startIngest();
      const checkoutIndexes = log.flatMap((e, i) => (e.event.type === "checkout" ? [i] : []));
      // Probe checkouts spread over the log, including late ones that see days of history.
      const probes = Array.from({ length: 12 }, (_, k) =>
        Math.floor(((k + 1) * checkoutIndexes.length) / 13),
      ).map((k) => checkoutIndexes[k] as number);
      let produced = 0;
      let nonTrivial = 0;
      for (const probe of probes) {
        const segment = log.slice(produced, probe).map((e) => e.event);
        produced = await harness.produceInTimeOrder(segment, metrics, produced, 60_000);
        const event = (log[probe] as LogEntry).event as CheckoutMessage;
        // The consumer stored pseudonyms: the serving path reads the checkout as the API admits it.
        const vector = await readCheckoutFeatures(
          harness.store,
          features,
          pseudonymiser.checkout(body(event)),
        );
        const expected = trainingRows.get(event.event_id) as number[];
        expect(vector.values, event.event_id).toEqual(expected);
        if (vector.missing.length < 20) nonTrivial++;
      }
      expect(nonTrivial).toBeGreaterThan(6);
    } finally {
      await harness.close();
    }
  }, 120_000);
});

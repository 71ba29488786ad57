// Labels are never dropped as too late: a chargeback arrives months after its checkout, often later
// than the horizon behind its entity's newest event, and its lifetime counters must still count,
// once, whichever store holds them. Other events that late are still dropped.

import { checkout, label, payment, T0 } from "@riskgate/test-support/events";
import { afterAll, describe, expect, it } from "vitest";
import { checkoutEntityIds } from "../../src/definitions/entities.ts";
import { FeatureSet } from "../../src/definitions/feature-set.ts";
import { FEATURES } from "../../src/definitions/features.ts";
import { DAY, HORIZON_MS } from "../../src/definitions/time.ts";
import { readCheckoutFeatures } from "../../src/online/read-features.ts";
import { update } from "../../src/update/update.ts";
import { memoryFactory, redisFactory } from "./store-fixtures.ts";

const features = new FeatureSet(FEATURES);

for (const factory of [memoryFactory(), redisFactory()]) {
  describe(`late labels: ${factory.name}`, () => {
    afterAll(() => factory.close());

    it("counts a chargeback older than the horizon once, and still drops other events that late", async () => {
      const { store, tooLate } = factory.create();
      // The instrument's newest event moves its watermark to T0.
      expect((await store.apply(update(payment("p-now", T0)))).outcomes).not.toContain("too_late");
      const old = T0 - HORIZON_MS - 10 * DAY;

      const late = update(label("cb-late", old));
      expect((await store.apply(late)).outcomes).toEqual(["applied", "applied"]);
      // Redelivered: deduplicated, not counted twice.
      expect((await store.apply(late)).outcomes).toEqual(["duplicate", "duplicate"]);
      const latePayment = (await store.apply(update(payment("p-late", old)))).outcomes;
      expect(latePayment.every((o) => o === "too_late")).toBe(true);
      // Only the payment's entities were dropped; the label counted nowhere as too late.
      expect(tooLate()).toBe(latePayment.length);

      const c = checkout("probe", T0 + DAY);
      expect(checkoutEntityIds(c).payment_instrument).toBe("pi_1");
      const f = features.toRecord(await readCheckoutFeatures(store, features, c));
      expect(f.instrument_chargebacks).toBe(1);
      expect(f.instrument_fraud_labels).toBe(1);
      expect(f.user_fraud_labels).toBe(1);
    });
  });
}

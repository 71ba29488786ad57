import type { FeatureSet, FeatureVector } from "../definitions/feature-set.ts";
import type { Checkout } from "../events/index.ts";
import type { OnlineStore } from "./contract.ts";

/**
 * The features of one checkout as of its own event time: one store round trip, then pure code.
 * Event time (not the wall clock) keeps serving identical to the point-in-time backfill.
 */
export async function readCheckoutFeatures(
  store: OnlineStore,
  features: FeatureSet,
  checkout: Checkout,
): Promise<FeatureVector> {
  const asOf = Date.parse(checkout.occurred_at);
  const raw = await store.read(features.plan(checkout, asOf));
  return features.compute(checkout, asOf, raw);
}

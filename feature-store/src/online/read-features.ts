import type { FeatureSet, FeatureVector } from "../definitions/feature-set.ts";
import type { Checkout } from "../events/index.ts";
import { update } from "../update/update.ts";
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

/**
 * A scored checkout's features, read as of its event time, and the checkout itself counted in its
 * entities' state in the same step (OnlineStore.readThenApply): each checkout of a parallel burst
 * sees the ones before it, as the backfill's replay in event order does.
 */
export async function readAndCountCheckout(
  store: OnlineStore,
  features: FeatureSet,
  checkout: Checkout,
): Promise<FeatureVector> {
  const asOf = Date.parse(checkout.occurred_at);
  const { state } = await store.readThenApply(
    features.plan(checkout, asOf),
    update({ type: "checkout", ...checkout }),
  );
  return features.compute(checkout, asOf, state);
}

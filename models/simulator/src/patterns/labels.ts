import { KNOBS } from "../config.ts";
import type { Instrument, User } from "../entities.ts";
import type { Rng } from "../rng.ts";
import { DAY_MS } from "../time.ts";
import type { Truth } from "../timeline/timeline.ts";
import type { World } from "../world.ts";

/**
 * Delayed labels for one checkout: most frauds get a chargeback 10–60 days later, a few are also
 * confirmed by review within days; a few legit checkouts get a legit review outcome, and a very few a
 * "friendly fraud" chargeback (labelled fraud, truly legit).
 */
export function scheduleLabels(
  world: World,
  rng: Rng,
  checkoutMs: number,
  checkoutId: string,
  user: User,
  instrument: Instrument,
  truth: Truth,
  paid: boolean,
): void {
  const k = KNOBS.labels;
  const [cbMin, cbMode, cbMax] = k.chargebackDelayDays;
  const [rvMin, rvMax] = k.reviewDelayDays;
  const chargebackAt = () => Math.floor(checkoutMs + rng.triangular(cbMin, cbMode, cbMax) * DAY_MS);
  const reviewAt = () => Math.floor(checkoutMs + rng.uniform(rvMin, rvMax) * DAY_MS);
  const base = { checkoutId, user, instrument };
  if (truth.fraud) {
    if (rng.chance(k.chargebackProbability) && paid) {
      world.emit.label(chargebackAt(), { ...base, type: "chargeback", label: "fraud" });
      world.stats.labels.chargeback_fraud++;
    }
    if (rng.chance(k.fraudReviewProbability)) {
      world.emit.label(reviewAt(), { ...base, type: "review_outcome", label: "fraud" });
      world.stats.labels.review_fraud++;
    }
    return;
  }
  if (rng.chance(k.legitReviewProbability)) {
    world.emit.label(reviewAt(), { ...base, type: "review_outcome", label: "legit" });
    world.stats.labels.review_legit++;
  }
  if (rng.chance(k.friendlyChargebackProbability) && paid) {
    world.emit.label(chargebackAt(), { ...base, type: "chargeback", label: "fraud" });
    world.stats.labels.chargeback_friendly++;
    world.stats.lookalikes.friendly_chargeback++;
  }
}

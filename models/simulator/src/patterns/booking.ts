import type { FraudPattern } from "../config.ts";
import { checkinAt } from "../emit.ts";
import type { Device, Instrument, Listing, User } from "../entities.ts";
import { currencyFor, fromEur } from "../geo.ts";
import type { Rng } from "../rng.ts";
import { DAY_MS, MINUTE_MS, SECOND_MS } from "../time.ts";
import type { World } from "../world.ts";
import { scheduleLabels } from "./labels.ts";

export type PaymentOutcome = "ok" | "retry" | "declined";

export interface Booking {
  readonly user: User;
  readonly device: Device;
  readonly ip: string;
  readonly ipCountry: string;
  readonly instrument: Instrument;
  readonly listing: Listing;
  readonly nights: number;
  readonly leadDays: number;
  readonly message?: string;
  readonly email?: { domain: string; verified: boolean };
  readonly payment: PaymentOutcome;
  /** The fraud pattern behind the booking, or null for a legit one. */
  readonly pattern: FraudPattern | null;
  readonly drifted?: boolean;
}

const SOFT_DECLINES = ["insufficient_funds", "authentication_required", "card_declined", "expired_card"];
const HARD_DECLINES = ["card_declined", "do_not_honor", "stolen_card", "fraudulent", "incorrect_cvc"];

/**
 * A checkout and what follows it: the payment attempt(s) seconds later and the delayed labels.
 * Returns the checkout's event id.
 */
export function placeBooking(world: World, rng: Rng, t: number, b: Booking): string {
  const currency = currencyFor(b.instrument.country);
  const cleaning = rng.chance(0.6) ? rng.int(2, 12) * 5 : 0;
  const amount = fromEur(b.listing.pricePerNight * b.nights + cleaning, currency);
  const truth = { fraud: b.pattern !== null, pattern: b.pattern, drifted: b.drifted === true };
  const id = world.emit.checkout(
    t,
    {
      user: b.user,
      device: b.device,
      ip: b.ip,
      ipCountry: b.ipCountry,
      instrument: b.instrument,
      listing: b.listing,
      amount,
      currency,
      nights: b.nights,
      checkinAtMs: checkinAt(t, b.leadDays),
      message: b.message,
      email: b.email,
    },
    truth,
  );

  const pay = { user: b.user, instrument: b.instrument, device: b.device, amount, currency };
  const paidAt = t + rng.int(2, 90) * SECOND_MS;
  if (b.payment === "ok") {
    world.emit.payment(paidAt, pay);
  } else if (b.payment === "retry") {
    world.emit.payment(paidAt, { ...pay, failureCode: rng.pick(SOFT_DECLINES) });
    world.emit.payment(paidAt + rng.int(1, 10) * MINUTE_MS, pay);
  } else {
    world.emit.payment(paidAt, { ...pay, failureCode: rng.pick(HARD_DECLINES) });
  }
  scheduleLabels(world, rng, t, id, b.user, b.instrument, truth, b.payment !== "declined");

  const stats = world.stats;
  stats.checkouts++;
  if (b.pattern !== null) {
    stats.fraud[b.pattern]++;
    if (b.drifted) stats.drifted[b.pattern]++;
  } else {
    const look = stats.lookalikes;
    if (b.ipCountry !== b.instrument.country) look.ip_card_country_mismatch++;
    if (b.device.shared) look.shared_device++;
    if (t - b.user.createdAtMs < DAY_MS) look.new_user_booking++;
    if (b.payment === "retry") look.failed_then_retried_payment++;
    if (b.leadDays < 2) look.short_lead_time++;
  }
  return id;
}

/** Nights: mostly short stays, a long tail. */
export function nights(rng: Rng, min = 1, max = 28): number {
  return Math.min(max, min + Math.floor(rng.exponential(2.6)));
}

/** Days between booking and check-in: a median of three weeks, or 0–2 days for short-notice trips. */
export function leadDays(rng: Rng, shortShare: number): number {
  return rng.chance(shortShare) ? rng.uniform(0, 2) : Math.min(330, rng.logNormal(21, 0.9));
}

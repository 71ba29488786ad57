import { FRAUD_PATTERNS, KNOBS } from "./config.ts";
import { accountTakeover, plantDevice, recoverAccount } from "./patterns/account-takeover.ts";
import {
  browsingLogin,
  deviceAdded,
  emailChange,
  listingUpdate,
  newListing,
  otherPayment,
  passwordReset,
  signupOnly,
} from "./patterns/activity.ts";
import { cardTestingCheckout, cardTestingNoise } from "./patterns/card-testing.ts";
import { activeRings, formRing, ringBooking, targetRings } from "./patterns/host-ring.ts";
import { legitCheckout } from "./patterns/legit.ts";
import { stolenCardCheckout } from "./patterns/stolen-card.ts";
import { type Rng, WeightedPicker } from "./rng.ts";
import { DAY_MS, HOUR_MS, HOURLY_WEIGHTS, WEEKDAY_WEIGHTS } from "./time.ts";
import type { Day, Recovery, World } from "./world.ts";

/** One random stream per kind of behaviour, so tuning one pattern does not reshuffle the others. */
export interface Streams {
  readonly schedule: Rng;
  readonly legit: Rng;
  readonly activity: Rng;
  readonly cardTesting: Rng;
  readonly stolenCard: Rng;
  readonly takeover: Rng;
  readonly ring: Rng;
  readonly population: Rng;
}

export function streams(root: Rng): Streams {
  return {
    schedule: root.fork("schedule"),
    legit: root.fork("legit"),
    activity: root.fork("activity"),
    cardTesting: root.fork("card_testing"),
    stolenCard: root.fork("stolen_card"),
    takeover: root.fork("account_takeover"),
    ring: root.fork("host_ring"),
    population: root.fork("population"),
  };
}

type Kind =
  | "legit"
  | "browse"
  | "payment"
  | "signup"
  | "reset"
  | "email"
  | "device"
  | "listing_update"
  | "listing_new"
  | "card_testing"
  | "card_testing_noise"
  | "stolen_card"
  | "account_takeover"
  | "ato_plant"
  | "host_ring"
  | "ring_form"
  | "recover";

interface Episode {
  readonly t: number;
  readonly order: number;
  readonly kind: Kind;
  readonly recovery?: Recovery;
}

const HOUR_PICKER = new WeightedPicker(
  HOURLY_WEIGHTS.map((_, h) => h),
  HOURLY_WEIGHTS,
);

/** Checkouts on this day: the configured volume shaped by weekday, with a little noise. */
export function dayVolume(rng: Rng, perDay: number, dayStartMs: number): number {
  const weekday = WEEKDAY_WEIGHTS[new Date(dayStartMs).getUTCDay()] ?? 1;
  return Math.max(1, Math.round(perDay * weekday * (1 + rng.normal(0, 0.03))));
}

/** Plans the day's episodes at diurnal times, then plays them in time order. */
export function runDay(world: World, s: Streams, day: Day): void {
  const rng = s.schedule;
  const volume = dayVolume(rng, world.options.checkoutsPerDay, day.startMs);
  const scale = world.options.fraudRateScale;
  const fraudRates = KNOBS.fraud.rates;
  const episodes: Episode[] = [];
  const add = (kind: Kind, count: number) => {
    for (let i = 0; i < count; i++) {
      const t = day.startMs + HOUR_PICKER.pick(rng) * HOUR_MS + Math.floor(rng.float() * HOUR_MS);
      episodes.push({ t, order: episodes.length, kind });
    }
  };

  let fraudCount = 0;
  for (const pattern of FRAUD_PATTERNS) {
    const n = rng.poisson(volume * fraudRates[pattern] * scale);
    fraudCount += n;
    add(pattern, n);
  }
  add("legit", Math.max(0, volume - fraudCount));
  const k = KNOBS.legit;
  add("browse", rng.poisson(volume * k.browsingLoginsPerCheckout));
  add("payment", rng.poisson(volume * k.otherPaymentsPerCheckout));
  add("signup", rng.poisson(volume * k.signupsWithoutBookingPerCheckout));
  add("reset", rng.poisson(volume * k.passwordResetsPerCheckout));
  add("email", rng.poisson(volume * k.emailChangesPerCheckout));
  add("device", rng.poisson(volume * k.devicesAddedPerCheckout));
  const listings = world.pop.listings.length;
  add("listing_update", rng.poisson(listings * KNOBS.population.listingUpdatesPerListingPerDay));
  add("listing_new", rng.poisson(listings * KNOBS.population.newListingsPerListingPerDay));
  add("card_testing_noise", rng.poisson(volume * KNOBS.fraud.cardTestingNoiseRate * scale));
  add("ato_plant", rng.poisson(volume * KNOBS.fraud.atoPlantRate * scale));

  const ringBookingsPerDay = world.options.checkoutsPerDay * fraudRates.host_ring * scale;
  const upcoming = world.rings.filter((r) => r.lastDay > day.index).length;
  add("ring_form", Math.max(0, targetRings(ringBookingsPerDay) - upcoming));

  const due = world.recoveries.filter((r) => r.atMs < day.endMs);
  if (due.length > 0) {
    world.recoveries.splice(
      0,
      world.recoveries.length,
      ...world.recoveries.filter((r) => r.atMs >= day.endMs),
    );
    for (const recovery of due) {
      episodes.push({
        t: Math.max(day.startMs, recovery.atMs),
        order: episodes.length,
        kind: "recover",
        recovery,
      });
    }
  }

  episodes.sort((a, b) => a.t - b.t || a.order - b.order);
  const rings = activeRings(world, day.index);
  for (const e of episodes) {
    switch (e.kind) {
      case "legit":
        legitCheckout(world, s.legit, e.t);
        break;
      case "browse":
        browsingLogin(world, s.activity, e.t);
        break;
      case "payment":
        otherPayment(world, s.activity, e.t);
        break;
      case "signup":
        signupOnly(world, s.activity, e.t);
        break;
      case "reset":
        passwordReset(world, s.activity, e.t);
        break;
      case "email":
        emailChange(world, s.activity, e.t);
        break;
      case "device":
        deviceAdded(world, s.activity, e.t);
        break;
      case "listing_update":
        listingUpdate(world, s.activity, e.t);
        break;
      case "listing_new":
        newListing(world, s.activity, e.t);
        break;
      case "card_testing":
        cardTestingCheckout(world, s.cardTesting, day, e.t);
        break;
      case "card_testing_noise":
        cardTestingNoise(world, s.cardTesting, day, e.t);
        break;
      case "stolen_card":
        stolenCardCheckout(world, s.stolenCard, day, e.t);
        break;
      case "account_takeover":
        accountTakeover(world, s.takeover, day, e.t);
        break;
      case "ato_plant":
        plantDevice(world, s.takeover, e.t);
        break;
      case "host_ring":
        if (rings.length > 0) ringBooking(world, s.ring, day, e.t, s.ring.pick(rings));
        break;
      case "ring_form":
        formRing(world, s.ring, e.t, day.index);
        break;
      case "recover":
        if (e.recovery) recoverAccount(world, s.takeover, e.t, e.recovery.victim);
        break;
    }
  }
}

/**
 * The day before the start: the first rings form, so the first simulated day already has rings at
 * work (the listing inventory was created in the world's history).
 */
export function runPrelude(world: World, s: Streams): void {
  const { options } = world;
  const from = world.startMs - DAY_MS;
  const ringBookingsPerDay = options.checkoutsPerDay * KNOBS.fraud.rates.host_ring * options.fraudRateScale;
  for (let i = targetRings(ringBookingsPerDay); i > 0; i--) {
    formRing(world, s.ring, from + 12 * HOUR_MS + Math.floor(s.ring.float() * 4 * HOUR_MS), -1);
  }
}

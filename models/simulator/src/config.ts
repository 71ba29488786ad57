import { parseInstant } from "./time.ts";

/** What a user chooses on the command line. */
export interface SimOptions {
  readonly seed: number;
  readonly days: number;
  readonly out: string;
  readonly checkoutsPerDay: number;
  /** RFC 3339 instant of the first simulated day's midnight. */
  readonly start: string;
  /** Multiplies every fraud pattern's rate (1 = the default mix, about 0.5 % of checkouts). */
  readonly fraudRateScale: number;
  /** How many final days use the adapted ("drifted") fraud behaviour; 0 disables drift. */
  readonly driftDays: number;
  /** Run every event through decodeEvent before writing it (on by default). */
  readonly validate: boolean;
}

export const DEFAULT_START = "2026-01-05T00:00:00.000Z";

export function defaultDriftDays(days: number): number {
  return Math.min(14, Math.floor(days / 4));
}

export function resolveOptions(partial: Partial<SimOptions> & { out: string }): SimOptions {
  // 100 days: training needs 14 train + 14 valid + a 51-day label-maturity gap + 14 test days
  // (models/training/README.md); 3,000 checkouts a day keeps the default world near 2 M events.
  const days = partial.days ?? 100;
  const options: SimOptions = {
    seed: partial.seed ?? 1,
    days,
    out: partial.out,
    checkoutsPerDay: partial.checkoutsPerDay ?? 3000,
    start: new Date(parseInstant(partial.start ?? DEFAULT_START)).toISOString(),
    fraudRateScale: partial.fraudRateScale ?? 1,
    driftDays: partial.driftDays ?? defaultDriftDays(days),
    validate: partial.validate ?? true,
  };
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    throw new Error("--seed must be an integer in [0, 2^32)");
  }
  if (!Number.isInteger(days) || days < 1 || days > 3650)
    throw new Error("--days must be an integer in [1, 3650]");
  if (!Number.isInteger(options.checkoutsPerDay) || options.checkoutsPerDay < 1) {
    throw new Error("--checkouts-per-day must be a positive integer");
  }
  if (!(options.fraudRateScale >= 0 && options.fraudRateScale <= 50)) {
    throw new Error("--fraud-rate-scale must be in [0, 50]");
  }
  if (!Number.isInteger(options.driftDays) || options.driftDays < 0 || options.driftDays > days) {
    throw new Error("--drift-days must be an integer in [0, days]");
  }
  return options;
}

/**
 * The knobs of the world. Rates "per checkout" are multiplied by the day's checkout volume, so the
 * mix stays the same at any size. Fraud rates are further multiplied by `fraudRateScale`.
 */
export const KNOBS = {
  fraud: {
    /** Fraudulent checkouts per checkout, by pattern (sum ≈ 0.52 %). */
    rates: { card_testing: 0.0012, stolen_card: 0.0018, account_takeover: 0.0012, host_ring: 0.001 },
    /** Card-testing bursts that never lead to a checkout, per checkout. */
    cardTestingNoiseRate: 0.0008,
    /** Devices quietly planted on accounts (for the drifted, aged-device takeovers), per checkout. */
    atoPlantRate: 0.0012,
    /** A planted device must be at least this old before a drifted takeover uses it. */
    atoPlantMinAgeDays: 7,
    /** Bookings per active ring per day; rings live this many days. */
    ringBookingsPerDay: 1.2,
    ringLifetimeDays: [10, 30] as const,
  },
  labels: {
    /** Paid frauds that get a chargeback (a declined payment never does). */
    chargebackProbability: 0.92,
    /** Triangular distribution of chargeback delay in days: min, mode, max. */
    chargebackDelayDays: [10, 24, 60] as const,
    /** Frauds that a human reviewer also confirms within days (in addition to any chargeback). */
    fraudReviewProbability: 0.05,
    legitReviewProbability: 0.02,
    reviewDelayDays: [0.2, 5] as const,
    /** Legit checkouts whose cardholder disputes anyway ("friendly fraud"): label fraud, truth legit. */
    friendlyChargebackProbability: 0.0005,
  },
  legit: {
    newUserShare: 0.06,
    travellerShare: 0.08,
    newDeviceShare: 0.05,
    newInstrumentShare: 0.04,
    passwordResetShare: 0.01,
    expatCardShare: 0.02,
    shortLeadShare: 0.08,
    messageShare: 0.3,
    /** Of legit messages, those that mention WhatsApp or a phone number (the rings' look-alike). */
    contactInMessageShare: 0.08,
    paymentFailShare: 0.03,
    browsingLoginsPerCheckout: 1.0,
    otherPaymentsPerCheckout: 0.15,
    signupsWithoutBookingPerCheckout: 0.04,
    passwordResetsPerCheckout: 0.006,
    emailChangesPerCheckout: 0.003,
    devicesAddedPerCheckout: 0.015,
  },
  population: {
    usersPerDailyCheckout: 20,
    listingsPerDailyCheckout: 2,
    listingsPerHost: 1.6,
    householdShare: 0.08,
    listingUpdatesPerListingPerDay: 0.005,
    newListingsPerListingPerDay: 0.001,
  },
} as const;

export type FraudPattern = keyof typeof KNOBS.fraud.rates;
export const FRAUD_PATTERNS = Object.keys(KNOBS.fraud.rates) as FraudPattern[];

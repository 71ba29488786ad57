import type { FraudPattern, SimOptions } from "./config.ts";
import type { Emitter } from "./emit.ts";
import type { Device, Host, Listing, User } from "./entities.ts";
import type { FraudKit } from "./fraud-kit.ts";
import type { Geo } from "./geo.ts";
import type { Networks } from "./networks.ts";
import type { Population } from "./population.ts";

/** A collusive host ring: one host, a few listings, guest accounts sharing devices and a /24. */
export interface Ring {
  readonly id: number;
  readonly host: Host;
  readonly listings: Listing[];
  readonly members: User[];
  readonly devices: Device[];
  readonly ipPrefix: string;
  readonly country: string;
  /** Bookings start the day after the ring forms and stop after this day index. */
  readonly firstDay: number;
  readonly lastDay: number;
}

/** A device a fraudster added to a victim's account weeks before using it (drifted takeovers). */
export interface PlantedDevice {
  readonly victim: User;
  readonly device: Device;
  readonly ip: string;
  readonly plantedAtMs: number;
}

export const LOOKALIKES = [
  "ip_card_country_mismatch",
  "traveller",
  "new_user_booking",
  "shared_device",
  "new_device",
  "new_instrument",
  "password_reset_before_booking",
  "contact_in_message",
  "failed_then_retried_payment",
  "short_lead_time",
  "friendly_chargeback",
] as const;
export type Lookalike = (typeof LOOKALIKES)[number];

export interface Stats {
  checkouts: number;
  fraud: Record<FraudPattern, number>;
  /** Frauds generated with the drifted behaviour, per pattern. */
  drifted: Record<FraudPattern, number>;
  /** Legit checkouts that carry a signal the frauds also carry. */
  lookalikes: Record<Lookalike, number>;
  labels: {
    chargeback_fraud: number;
    chargeback_friendly: number;
    review_fraud: number;
    review_legit: number;
  };
  cardTestingNoiseBursts: number;
  ringsFormed: number;
  plantedDevices: number;
  recoveredVictims: number;
}

export function emptyStats(): Stats {
  return {
    checkouts: 0,
    fraud: { card_testing: 0, stolen_card: 0, account_takeover: 0, host_ring: 0 },
    drifted: { card_testing: 0, stolen_card: 0, account_takeover: 0, host_ring: 0 },
    lookalikes: Object.fromEntries(LOOKALIKES.map((k) => [k, 0])) as Record<Lookalike, number>,
    labels: { chargeback_fraud: 0, chargeback_friendly: 0, review_fraud: 0, review_legit: 0 },
    cardTestingNoiseBursts: 0,
    ringsFormed: 0,
    plantedDevices: 0,
    recoveredVictims: 0,
  };
}

/** Everything a pattern needs; owned by one generation run (no module-level state). */
export interface World {
  readonly options: SimOptions;
  readonly startMs: number;
  readonly pop: Population;
  readonly geo: Geo;
  readonly emit: Emitter;
  readonly stats: Stats;
  readonly rings: Ring[];
  readonly planted: PlantedDevice[];
  readonly nets: Networks;
  readonly kit: FraudKit;
  /** Takeover victims who will win their account back (taken off as their day comes). */
  readonly recoveries: Recovery[];
}

/** A takeover victim who resets the password from their own device and comes back. */
export interface Recovery {
  readonly victim: User;
  readonly atMs: number;
}

/** The day being generated. */
export interface Day {
  readonly index: number;
  readonly startMs: number;
  readonly endMs: number;
  /** Fraudsters have adapted (the last `driftDays` days). */
  readonly drift: boolean;
}

import { KNOBS } from "./config.ts";
import type { Device, Host, Instrument, InstrumentType, Listing, User } from "./entities.ts";
import { FRAUD_USER_AGENTS, type Geo, USER_AGENTS } from "./geo.ts";
import type { IdFactory } from "./ids.ts";
import type { Networks } from "./networks.ts";
import type { Rng } from "./rng.ts";
import { DAY_MS } from "./time.ts";

/**
 * Users, devices, instruments, hosts and listings. Entities are created here (with ids from the shared
 * factory); events about them are emitted by the patterns. Users created during a day join the pool
 * of bookable users only at the end of that day, so nobody books before they exist.
 */
export class Population {
  readonly users: User[] = [];
  readonly listings: Listing[] = [];
  readonly hosts: Host[] = [];
  /** Fraud accounts registered in the past and left dormant until a fraudster uses one. */
  readonly sleepers: User[] = [];
  private readonly joining: User[] = [];
  private premium: Listing[] = [];
  readonly ids: IdFactory;
  readonly geo: Geo;
  private readonly nets: Networks;

  constructor(ids: IdFactory, geo: Geo, nets: Networks) {
    this.ids = ids;
    this.geo = geo;
    this.nets = nets;
  }

  newDevice(rng: Rng, country: string, fraud = false): Device {
    return {
      id: this.ids.next("d"),
      userAgent: rng.pick(fraud ? FRAUD_USER_AGENTS : USER_AGENTS),
      homeIp: this.geo.ip(rng, country),
      country,
      shared: false,
    };
  }

  newInstrument(rng: Rng, country: string, createdAtMs: number, type?: InstrumentType): Instrument {
    const kind: InstrumentType = type ?? (rng.chance(0.8) ? "card" : rng.chance(0.7) ? "wallet" : "bank");
    return {
      id: this.ids.next("pi"),
      type: kind,
      bin: kind === "card" ? this.geo.bin(rng, country) : undefined,
      country,
      billingCountry: country,
      createdAtMs,
    };
  }

  /** A user with one device and one instrument; not bookable until `admit` (end of day). */
  newUser(
    rng: Rng,
    createdAtMs: number,
    opts: { country?: string; fraud?: boolean; verified?: boolean; join?: boolean } = {},
  ): User {
    const country = opts.country ?? this.geo.guestCountry.pick(rng);
    const user: User = {
      id: this.ids.next("u"),
      createdAtMs,
      emailDomain: opts.fraud ? this.geo.fraudEmailDomain.pick(rng) : this.geo.emailDomain.pick(rng),
      emailVerified: opts.verified ?? rng.chance(0.95),
      country,
      devices: [this.newDevice(rng, country, opts.fraud)],
      // Expats pay with a card from their home country: an IP/card country mismatch that is legit.
      instruments: [
        this.newInstrument(
          rng,
          !opts.fraud && rng.chance(KNOBS.legit.expatCardShare)
            ? this.geo.otherGuestCountry(rng, country)
            : country,
          createdAtMs,
        ),
      ],
      officeIp: !opts.fraud && rng.chance(0.2) ? this.nets.office(rng, country) : undefined,
      compromised: false,
    };
    if (opts.join ?? !opts.fraud) this.joining.push(user);
    return user;
  }

  /** Users created before the start; some households share a device. */
  seedUsers(rng: Rng, count: number, startMs: number): void {
    for (let i = 0; i < count; i++) {
      const created = startMs - rng.uniform(1, 1100) * DAY_MS;
      const user = this.newUser(rng, Math.floor(created));
      if (rng.chance(0.35)) user.devices.push(this.newDevice(rng, user.country));
      if (rng.chance(0.25)) user.instruments.push(this.newInstrument(rng, user.country, user.createdAtMs));
      const previous = this.users.length > 0 ? this.users[this.users.length - 1] : undefined;
      if (previous && previous.country === user.country && rng.chance(KNOBS.population.householdShare)) {
        const family = this.newDevice(rng, user.country);
        family.shared = true;
        previous.devices.push(family);
        user.devices.push(family);
      }
      this.admit();
    }
  }

  /** Dormant fraud accounts created 5–400 days before the start (used once each, newest last). */
  seedSleepers(rng: Rng, count: number, startMs: number): void {
    for (let i = 0; i < count; i++) {
      const created = Math.floor(startMs - rng.uniform(5, 400) * DAY_MS);
      this.sleepers.push(this.newUser(rng, created, { fraud: true, verified: rng.chance(0.6), join: false }));
    }
  }

  /** Users created during the day become bookable. */
  admit(): void {
    for (const user of this.joining) this.users.push(user);
    this.joining.length = 0;
  }

  /** A bookable, uncompromised user (a tenth of accounts do a third of the bookings). */
  pickUser(rng: Rng, minAgeMs = 0, nowMs = Number.POSITIVE_INFINITY): User {
    for (let attempt = 0; ; attempt++) {
      const n = this.users.length;
      const idx = rng.chance(0.33)
        ? Math.floor(rng.float() * Math.max(1, Math.floor(n / 10)))
        : rng.int(0, n - 1);
      const user = this.users[idx] as User;
      if (!user.compromised && (nowMs - user.createdAtMs >= minAgeMs || attempt > 50)) return user;
    }
  }

  newHost(rng: Rng, country?: string): Host {
    const host: Host = {
      id: this.ids.next("h"),
      country: country ?? this.geo.listingCountry.pick(rng),
      listings: [],
    };
    this.hosts.push(host);
    return host;
  }

  /** A listing with a log-normal nightly price (median about 110 EUR), or `price` if given. */
  newListing(rng: Rng, host: Host, opts: { price?: number; bookable?: boolean } = {}): Listing {
    const price = opts.price ?? Math.min(2500, Math.max(25, rng.logNormal(110, 0.55)));
    const listing: Listing = {
      id: this.ids.next("l"),
      hostId: host.id,
      country: host.country,
      pricePerNight: Math.round(price),
    };
    host.listings.push(listing);
    if (opts.bookable ?? true) this.listings.push(listing);
    return listing;
  }

  /** A bookable listing; a quarter of bookings go to the hottest 2 % (popular listings). */
  pickListing(rng: Rng): Listing {
    const n = this.listings.length;
    if (rng.chance(0.25))
      return this.listings[Math.floor(rng.float() * Math.max(1, Math.floor(n / 50)))] as Listing;
    return rng.pick(this.listings);
  }

  /** One of the dearest fifth of listings (refreshed daily). */
  pickPremiumListing(rng: Rng): Listing {
    return this.premium.length > 0 ? rng.pick(this.premium) : this.pickListing(rng);
  }

  refreshPremium(): void {
    const sorted = [...this.listings].sort(
      (a, b) => b.pricePerNight - a.pricePerNight || (a.id < b.id ? -1 : 1),
    );
    this.premium = sorted.slice(0, Math.max(1, Math.floor(sorted.length / 5)));
  }
}

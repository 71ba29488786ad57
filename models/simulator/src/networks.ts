import type { Device, User } from "./entities.ts";
import { type Geo, GUEST_COUNTRIES } from "./geo.ts";
import type { Rng } from "./rng.ts";

/**
 * Addresses many people share: mobile carriers put thousands of phones behind a few NAT addresses,
 * hotels and offices put their guests and staff behind one. The pools are drawn lazily from their own
 * random stream, so the order of first use (itself deterministic) fixes them.
 */
export class Networks {
  private readonly nat = new Map<string, string[]>();
  private readonly hotels = new Map<string, string[]>();
  private readonly offices = new Map<string, string[]>();
  private readonly rng: Rng;
  private readonly geo: Geo;

  constructor(rng: Rng, geo: Geo) {
    this.rng = rng;
    this.geo = geo;
  }

  /** A carrier-grade NAT address of the country: 1–4 per country, by its share of guests. */
  carrierNat(rng: Rng, country: string): string {
    const pool = this.pool(this.nat, country, Math.max(1, Math.round((GUEST_COUNTRIES[country] ?? 2) / 4)));
    return rng.pick(pool);
  }

  /** A hotel's wifi in the country (a few dozen hotels per country serve every traveller). */
  hotel(rng: Rng, country: string): string {
    return rng.pick(this.pool(this.hotels, country, 40));
  }

  /** An office network in the country, assigned to a user for good (a few hundred per country). */
  office(rng: Rng, country: string): string {
    return rng.pick(this.pool(this.offices, country, 300));
  }

  private pool(pools: Map<string, string[]>, country: string, size: number): string[] {
    let pool = pools.get(country);
    if (!pool) {
      pool = [];
      for (let i = 0; i < size; i++) pool.push(this.geo.ip(this.rng, country));
      pools.set(country, pool);
    }
    return pool;
  }
}

/**
 * Where a legit user is online from: the device's home line most often, the phone's carrier NAT,
 * the office, or some other address in the home country (a café, a friend's wifi).
 */
export function everydayIp(nets: Networks, geo: Geo, rng: Rng, user: User, device: Device): string {
  const r = rng.float();
  if (r < 0.55) return device.homeIp;
  if (r < 0.8) return nets.carrierNat(rng, user.country);
  if (r < 0.92 && user.officeIp !== undefined) return user.officeIp;
  return r < 0.92 ? device.homeIp : geo.ip(rng, user.country);
}

import { type Rng, WeightedPicker } from "./rng.ts";

export type Currency = "EUR" | "USD" | "GBP";

/** Static conversion used by the simulator: how many EUR one unit of the currency buys. */
export const EUR_PER_UNIT: Readonly<Record<Currency, number>> = { EUR: 1, USD: 0.92, GBP: 1.17 };

/** Public first octets of IPv4 addresses, per country (synthetic, disjoint, no private ranges). */
const FIRST_OCTETS: Readonly<Record<string, readonly number[]>> = {
  DE: [46, 84, 91],
  FR: [78, 82, 90],
  GB: [81, 86, 109],
  ES: [83, 88, 95],
  IT: [79, 93, 151],
  NL: [77, 145, 213],
  US: [23, 64, 98],
  PT: [85, 188, 194],
  GR: [62, 94, 176],
  AT: [80, 178, 193],
  CH: [31, 92, 185],
  BE: [87, 141, 212],
  SE: [183, 155, 158],
  PL: [37, 89, 217],
  IE: [53, 187, 189],
  CA: [24, 70, 99],
  BR: [177, 179, 200],
  AU: [1, 101, 203],
  HR: [161, 195, 157],
  MA: [41, 105, 196],
  TH: [49, 110, 171],
  MX: [148, 160, 201],
  NG: [102, 129, 197],
  RO: [5, 186, 190],
  VN: [14, 113, 116],
  ID: [36, 103, 114],
  RU: [180, 191, 198],
};

/** Where guests live (their account, cards and home IPs). */
export const GUEST_COUNTRIES: Readonly<Record<string, number>> = {
  DE: 16,
  FR: 12,
  GB: 12,
  US: 10,
  NL: 6,
  ES: 6,
  IT: 6,
  BE: 3,
  AT: 3,
  CH: 3,
  SE: 3,
  PL: 3,
  IE: 2,
  PT: 2,
  CA: 3,
  BR: 2,
  AU: 2,
};

/** Where listings are. */
export const LISTING_COUNTRIES: Readonly<Record<string, number>> = {
  ES: 14,
  IT: 13,
  FR: 13,
  US: 8,
  PT: 7,
  GR: 7,
  DE: 6,
  GB: 6,
  HR: 5,
  NL: 4,
  AT: 4,
  CH: 3,
  TH: 3,
  MX: 3,
  MA: 2,
};

/** Where fraudsters' traffic comes from when they do not bother to hide it (hosting, proxies, origin). */
export const FRAUD_IP_COUNTRIES: Readonly<Record<string, number>> = {
  NL: 3,
  US: 3,
  RO: 3,
  NG: 3,
  VN: 2,
  ID: 2,
  BR: 2,
  RU: 2,
  DE: 1,
};

export const EMAIL_DOMAINS: Readonly<Record<string, number>> = {
  "gmail.com": 30,
  "outlook.com": 10,
  "hotmail.com": 6,
  "yahoo.com": 6,
  "icloud.com": 8,
  "gmx.de": 5,
  "web.de": 4,
  "orange.fr": 3,
  "free.fr": 2,
  "libero.it": 2,
  "btinternet.com": 2,
  "proton.me": 2,
  "acme-corp.com": 1,
  "uni-example.edu": 1,
};

export const FRAUD_EMAIL_DOMAINS: Readonly<Record<string, number>> = {
  "gmail.com": 20,
  "outlook.com": 8,
  "proton.me": 8,
  "yopmail.com": 4,
  "mailinator.com": 3,
  "guerrillamail.com": 2,
  "tutanota.com": 2,
};

export const USER_AGENTS: readonly string[] = [
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/122.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/122.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 Version/17.3 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0",
  "Mozilla/5.0 (iPad; CPU OS 17_3 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
  "RiskgateApp/4.12 (Android 13; SM-S911B)",
  "RiskgateApp/4.12 (iOS 17.4; iPhone15,2)",
];

export const FRAUD_USER_AGENTS: readonly string[] = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/118.0 Safari/537.36",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
  "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/121.0 Mobile Safari/537.36",
];

export function currencyFor(country: string): Currency {
  if (country === "GB") return "GBP";
  if (country === "US" || country === "CA") return "USD";
  return "EUR";
}

/** Converts an EUR amount to the currency, rounded to cents and never zero. */
export function fromEur(eur: number, currency: Currency): number {
  return Math.max(0.01, Math.round((eur / EUR_PER_UNIT[currency]) * 100) / 100);
}

/** Country tables with pickers and per-country BINs, built once per world from its rng. */
export class Geo {
  readonly guestCountry = WeightedPicker.fromRecord(GUEST_COUNTRIES);
  readonly listingCountry = WeightedPicker.fromRecord(LISTING_COUNTRIES);
  readonly fraudIpCountry = WeightedPicker.fromRecord(FRAUD_IP_COUNTRIES);
  readonly emailDomain = WeightedPicker.fromRecord(EMAIL_DOMAINS);
  readonly fraudEmailDomain = WeightedPicker.fromRecord(FRAUD_EMAIL_DOMAINS);
  private readonly bins = new Map<string, string[]>();

  constructor(rng: Rng) {
    for (const country of Object.keys(FIRST_OCTETS).sort()) {
      const list: string[] = [];
      for (let i = 0; i < 5; i++) list.push(`${rng.chance(0.6) ? 4 : 5}${rng.digits(5)}`);
      this.bins.set(country, list);
    }
  }

  bin(rng: Rng, country: string): string {
    return rng.pick(this.bins.get(country) ?? this.bins.get("US") ?? ["400000"]);
  }

  /** A random address in the country's blocks. */
  ip(rng: Rng, country: string): string {
    return `${this.ipPrefix(rng, country)}.${rng.int(1, 254)}`;
  }

  /** A random /24 in the country's blocks, e.g. "84.17.203". */
  ipPrefix(rng: Rng, country: string): string {
    const octets = FIRST_OCTETS[country] ?? FIRST_OCTETS.US ?? [23];
    return `${rng.pick(octets)}.${rng.int(0, 255)}.${rng.int(0, 255)}`;
  }

  /** A country other than `country`, drawn from the guest mix. */
  otherGuestCountry(rng: Rng, country: string): string {
    for (;;) {
      const c = this.guestCountry.pick(rng);
      if (c !== country) return c;
    }
  }

  otherFraudIpCountry(rng: Rng, country: string): string {
    for (;;) {
      const c = this.fraudIpCountry.pick(rng);
      if (c !== country) return c;
    }
  }
}

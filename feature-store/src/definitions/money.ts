/**
 * Static reference rates to EUR. Features compare amounts across bookings, so a stable rate matters
 * more than today's: a rate that moved between training and serving would shift every amount feature.
 * Unknown currencies count at 1:1 and are visible as such in the decision log.
 */
const EUR_PER_UNIT: Record<string, number> = {
  EUR: 1,
  USD: 0.92,
  GBP: 1.17,
  CHF: 1.04,
  SEK: 0.088,
  NOK: 0.086,
  DKK: 0.134,
  PLN: 0.23,
  CAD: 0.68,
  AUD: 0.61,
  JPY: 0.0062,
};

export function toEur(amount: number, currency: string): number {
  return amount * (EUR_PER_UNIT[currency] ?? 1);
}

/** Integer cents keep sums exact and identical in Redis (HINCRBY) and in memory. */
export function toEurCents(amount: number, currency: string): number {
  return Math.round(toEur(amount, currency) * 100);
}

import { EUR_PER_UNIT } from "../events/index.ts";

/**
 * Amounts in EUR at the static reference rates of `events/eur-rates.json`. Features compare
 * amounts across bookings, so a stable rate matters more than today's: a rate that moved between
 * training and serving would shift every amount feature. The event contracts accept only the
 * currencies of that table, so every decoded amount has a rate.
 */
export function toEur(amount: number, currency: string): number {
  const rate = EUR_PER_UNIT[currency];
  if (rate === undefined)
    throw new Error(`no EUR rate for ${currency}: events are decoded before conversion`);
  return amount * rate;
}

/** Integer cents keep sums exact and identical in Redis (Lua doubles, exact below 2^53) and in memory. */
export function toEurCents(amount: number, currency: string): number {
  return Math.round(toEur(amount, currency) * 100);
}

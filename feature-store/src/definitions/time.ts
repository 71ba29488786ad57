export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * How far behind an entity's newest event another event may arrive and still be applied.
 * Every window and membership read fits inside it, so trimming older state never changes a read,
 * and the per-event dedup record only needs to reach back this far.
 */
export const HORIZON_MS = 30 * DAY;

/** Lifetime aggregates (chargebacks, successful payments) expire after this long without activity. */
export const LIFETIME_MAX_AGE_MS = 400 * DAY;

import { DAY, HOUR, MINUTE } from "./time.ts";

/**
 * The sizes that bound each entity's state (feature-store/README.md, "Bounded state"): windowed
 * counts come from rings of time buckets, distinct counts from a capped exact set and, past the
 * cap, HyperLogLogs per time bucket, and the dedup record from a capped set of event ids.
 */

/** A ring of count buckets: `slots` buckets of `ms`, reused lap after lap. */
export interface BucketUnit {
  readonly letter: "m" | "h" | "d";
  readonly ms: number;
  readonly slots: number;
}

/** Minute buckets for windows up to an hour, hour buckets up to a day, day buckets to the horizon. */
export const BUCKET_UNITS: readonly BucketUnit[] = [
  { letter: "m", ms: MINUTE, slots: 60 },
  { letter: "h", ms: HOUR, slots: 24 },
  { letter: "d", ms: DAY, slots: 30 },
];

/** The bucket size a counted window is read from: the smallest unit whose ring spans it. */
export function countUnit(windowMs: number): BucketUnit {
  const unit = BUCKET_UNITS.find((u) => windowMs <= u.ms * u.slots && windowMs % u.ms === 0);
  if (!unit) throw new Error(`no bucket unit for a window of ${windowMs} ms`);
  return unit;
}

/** Distinct members kept exactly (the most recent ones, by newest time) per entity and set. */
export const DISTINCT_EXACT_CAP = 64;

/**
 * Event ids kept per entity for dedup: the latest it applied, in arrival order (a Kafka
 * redelivery repeats what was applied last). Redis keeps them as 8-byte digests in one string of
 * 8,000 bytes: with its header, one 8 KB allocation.
 */
export const DEDUP_EVENTS = 1000;

/**
 * Past the cap, a distinct window is estimated from HyperLogLogs (Redis's, 12 KB dense each) of
 * `buckets` time buckets of windowMs / buckets. Two half-window buckets for windows up to a day,
 * one for longer ones: an entity then holds at most three dense HyperLogLogs (device and
 * instrument: users over 24 h and 7 d), which keeps a hot entity under 64 KB.
 */
export function hllBuckets(windowMs: number): { readonly bucketMs: number; readonly buckets: number } {
  const buckets = windowMs <= DAY ? 2 : 1;
  return { bucketMs: windowMs / buckets, buckets };
}

/** Redis's HyperLogLog: 2^14 registers, standard error 1.04 / sqrt(2^14) = 0.81 %. */
export const HLL_STANDARD_ERROR = 1.04 / Math.sqrt(16384);
/** The relative error stated for estimates: four standard errors. */
export const HLL_ERROR_BOUND = 4 * HLL_STANDARD_ERROR;

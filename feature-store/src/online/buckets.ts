import { type BucketUnit, countUnit, hllBuckets } from "../definitions/bounded-state.ts";

/**
 * Ring arithmetic shared by both stores (and passed to the Redis scripts as plain numbers).
 * A counted stream keeps, per bucket unit, a ring of `slots` cells; bucket index j lives in cell
 * `<letter><j mod slots>` as one integer, lap * 2^32 + count with lap = floor(j / slots), so one
 * increment counts into a current cell and a cell left from an earlier lap reads as empty.
 */
export const LAP = 2 ** 32;

export function bucketIndex(t: number, ms: number): number {
  return Math.floor(t / ms);
}

/** The distinct bucket units that a stream's windows are read from. */
export function countUnits(windows: readonly number[]): BucketUnit[] {
  const units: BucketUnit[] = [];
  for (const w of windows) {
    const u = countUnit(w);
    if (!units.includes(u)) units.push(u);
  }
  return units;
}

/** What a read of one counted window needs: the unit's ring and the newest bucket index. */
export interface CountWindow {
  readonly unit: BucketUnit;
  /** Bucket index of the read's own time. */
  readonly newest: number;
  /** Buckets summed, the newest included. */
  readonly n: number;
}

export function countWindow(asOf: number, windowMs: number): CountWindow {
  const unit = countUnit(windowMs);
  return { unit, newest: bucketIndex(asOf, unit.ms), n: windowMs / unit.ms };
}

/** Sums a window from a ring's cells (field → packed value). */
export function sumWindow(cells: (field: string) => number | undefined, w: CountWindow): number {
  let sum = 0;
  const { letter, slots } = w.unit;
  for (let j = w.newest - w.n + 1; j <= w.newest; j++) {
    const v = cells(`${letter}${j % slots}`);
    if (v !== undefined && Math.floor(v / LAP) === Math.floor(j / slots)) sum += v % LAP;
  }
  return sum;
}

/** The HyperLogLog ring of one set and window: `buckets` cells of bucketMs. */
export interface HllRing {
  readonly windowMs: number;
  readonly bucketMs: number;
  readonly buckets: number;
}

export function hllRing(windowMs: number): HllRing {
  return { windowMs, ...hllBuckets(windowMs) };
}

/** Key suffix (Redis: `<base>:u:<suffix>`) and index field (`_u:<suffix>`) of one ring cell. */
export function hllCell(set: string, ring: HllRing, index: number): string {
  return `${set}:${ring.windowMs}:${index % ring.buckets}`;
}

import { createHash } from "node:crypto";
import type { SimOptions } from "./config.ts";

/** Readable, prefixed identifiers from per-prefix counters ("u_000123"). */
export class IdFactory {
  private readonly counters = new Map<string, number>();

  next(prefix: string, width = 6): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}_${String(n).padStart(width, "0")}`;
  }

  count(prefix: string): number {
    return this.counters.get(prefix) ?? 0;
  }
}

/** Event ids are zero-padded so that, behind their world's prefix, string order equals numeric order. */
export const EVENT_ID_WIDTH = 10;

/**
 * The prefix of every event id of one world, `evt_s<seed>-<hash>_`: the hash covers the options that
 * shape the world, so two different worlds replayed into one stack share no event id (the API would
 * answer 409 to the second world's checkouts), while the same options give the same ids (a world is
 * byte-identical per seed and options). One prefix for the whole world keeps the order of its ids,
 * and with it every tie-break on them, as it was: feature values do not change.
 */
export function eventIdPrefix(o: WorldShape): string {
  const shape = [o.seed, o.days, o.checkoutsPerDay, o.start, o.fraudRateScale, o.driftDays];
  const hash = createHash("sha256").update(JSON.stringify(shape)).digest("hex").slice(0, 6);
  return `evt_s${o.seed}-${hash}_`;
}

export type WorldShape = Pick<
  SimOptions,
  "seed" | "days" | "checkoutsPerDay" | "start" | "fraudRateScale" | "driftDays"
>;

/** The world's event id of the seq-th event it emits. */
export type EventIdOf = (seq: number) => string;

export function eventIds(prefix: string): EventIdOf {
  return (seq) => `${prefix}${String(seq).padStart(EVENT_ID_WIDTH, "0")}`;
}

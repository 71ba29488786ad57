import { HLL_ERROR_BOUND, hllBuckets } from "../definitions/bounded-state.ts";
import { checkoutEntityIds } from "../definitions/entities.ts";
import { checkoutPath, type FeatureSet } from "../definitions/feature-set.ts";
import type { FeatureSpec } from "../definitions/feature-spec.ts";
import type { Checkout } from "../events/index.ts";
import { countWindow } from "../online/buckets.ts";
import type { EventUpdate } from "../online/contract.ts";
import { MemoryStore } from "../online/memory-store.ts";
import { update } from "../update/update.ts";
import { type LogStats, mergedEventLog } from "./event-log.ts";

export interface FeatureBoundReport {
  checked: number;
  /** Checks where the served value differed from the exact one (within the bound or not). */
  approximate: number;
  violations: number;
  maxAbsError: number;
  /** Largest exact value seen: shows whether the check reached past the caps. */
  maxExact: number;
  /** The first violation, if any. */
  example?: string;
}

interface EntityTruth {
  /** Counted stream → event times, in replay (event-time) order. */
  readonly counts: Map<string, number[]>;
  /** Set → member → newest time. */
  readonly sets: Map<string, Map<string, number>>;
}

/**
 * Holds the bounded features to their stated error bound (each spec's `errorBound`): replays an
 * event log through the memory store, as the backfill does, next to an exact and unbounded record
 * of the same events, and checks every approximate feature of every `sampleEvery`-th checkout.
 */
export async function checkErrorBounds(
  dir: string,
  features: FeatureSet,
  options: { sampleEvery?: number } = {},
): Promise<Record<string, FeatureBoundReport>> {
  const every = options.sampleEvery ?? 1;
  // A finite world replayed like the backfill: every entity kept, none forgotten.
  const store = new MemoryStore({ maxEntities: Number.POSITIVE_INFINITY });
  const truth = new Map<string, EntityTruth>();
  const specs = features.specs.filter((s) => s.errorBound !== undefined);
  const reports = new Map<string, FeatureBoundReport>(
    specs.map((s) => [s.name, { checked: 0, approximate: 0, violations: 0, maxAbsError: 0, maxExact: 0 }]),
  );
  const stats: LogStats = { invalid: new Map() };
  let checkouts = 0;
  for await (const { event, t } of mergedEventLog(dir, stats)) {
    if (event.type === "checkout" && checkouts++ % every === 0) {
      const { type: _type, ...checkout } = event;
      const served = features.toRecord(
        features.compute(checkout, t, store.readSync(features.plan(checkout, t))),
      );
      for (const spec of specs) {
        const r = reports.get(spec.name) as FeatureBoundReport;
        const ids = checkoutEntityIds(checkout);
        const entity = truth.get(`${spec.entity}\u0000${ids[spec.entity as keyof typeof ids]}`);
        const v = served[spec.name] as number;
        const { lo, hi, exact } = bounds(spec, entity, checkout, t);
        r.checked++;
        if (v !== exact) r.approximate++;
        r.maxAbsError = Math.max(r.maxAbsError, Math.abs(v - exact));
        r.maxExact = Math.max(r.maxExact, exact);
        if (v < lo || v > hi) {
          r.violations++;
          r.example ??= `${checkout.event_id}: ${v} outside [${lo}, ${hi}] (exact ${exact})`;
        }
      }
    }
    const u = update(event);
    const { outcomes } = store.applySync(u);
    record(truth, u, outcomes);
  }
  return Object.fromEntries(reports);
}

function record(truth: Map<string, EntityTruth>, u: EventUpdate, outcomes: readonly string[]): void {
  u.entities.forEach((eu, i) => {
    if (outcomes[i] !== "applied") return;
    const key = `${eu.entity}\u0000${eu.id}`;
    let e = truth.get(key);
    if (!e) {
      e = { counts: new Map(), sets: new Map() };
      truth.set(key, e);
    }
    for (const m of eu.mutations) {
      if (m.op === "count") {
        const times = e.counts.get(m.stream) ?? [];
        times.push(u.eventTime);
        e.counts.set(m.stream, times);
      } else if (m.op === "distinct") {
        const members = e.sets.get(m.set) ?? new Map<string, number>();
        if ((members.get(m.member) ?? Number.NEGATIVE_INFINITY) < u.eventTime)
          members.set(m.member, u.eventTime);
        e.sets.set(m.set, members);
      }
    }
  });
}

/** Events in (asOf - span, asOf], from times sorted ascending and all at or before asOf. */
function countSince(times: readonly number[], from: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((times[mid] as number) <= from) lo = mid + 1;
    else hi = mid;
  }
  return times.length - lo;
}

function membersSince(members: ReadonlyMap<string, number> | undefined, from: number): number {
  let n = 0;
  for (const t of members?.values() ?? []) if (t > from) n++;
  return n;
}

function bounds(
  spec: FeatureSpec,
  entity: EntityTruth | undefined,
  checkout: Checkout,
  asOf: number,
): { lo: number; hi: number; exact: number } {
  const src = spec.source;
  if (src.kind === "window_count") {
    const times = entity?.counts.get(src.stream) ?? [];
    const exact = countSince(times, asOf - src.windowMs);
    const unitMs = countWindow(asOf, src.windowMs).unit.ms;
    return { lo: countSince(times, asOf - src.windowMs + unitMs), hi: exact, exact };
  }
  if (src.kind === "distinct_count") {
    const members = entity?.sets.get(src.set);
    const exact = membersSince(members, asOf - src.windowMs);
    const covered = membersSince(members, asOf - src.windowMs + hllBuckets(src.windowMs).bucketMs);
    const recent = Math.min(exact, src.cap);
    return {
      lo: Math.max(recent, Math.floor((1 - HLL_ERROR_BOUND) * covered)),
      hi: Math.max(recent, Math.ceil((1 + HLL_ERROR_BOUND) * exact)),
      exact,
    };
  }
  if (src.kind === "set_member") {
    const members = entity?.sets.get(src.set);
    const t = members?.get(checkoutPath(checkout, src.member));
    const seen = t !== undefined && t > asOf - src.windowMs;
    const exact = seen ? 0 : 1;
    // Reading "new" for a member seen is allowed once `cap` newer members pushed it out.
    const pushedOut = t !== undefined && membersSince(members, t - 1) > src.cap;
    return { lo: exact, hi: seen && pushedOut ? 1 : exact, exact };
  }
  return { lo: Number.NEGATIVE_INFINITY, hi: Number.POSITIVE_INFINITY, exact: 0 };
}

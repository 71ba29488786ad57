import { DEDUP_EVENTS, DISTINCT_EXACT_CAP } from "../definitions/bounded-state.ts";
import { HORIZON_MS } from "../definitions/time.ts";
import { bucketIndex, countUnits, countWindow, hllRing, LAP, sumWindow } from "./buckets.ts";
import { CappedSet } from "./capped-set.ts";
import type { ApplyOutcome, EntityRead, EntitySnapshot, Mutation } from "./contract.ts";
import { WATERMARK_FIELD } from "./contract.ts";
import { DedupRing } from "./dedup-ring.ts";
import { HllWindow } from "./hll-window.ts";
import { isNewer } from "./last-writer.ts";

/**
 * One entity's state in process memory, bounded like its Redis keys (same rings, same capped
 * sets, same HyperLogLogs): the Lua scripts in apply-event-lua.ts and read-entities-lua.ts do
 * step for step what this class does, and the conformance suite holds them to it.
 */
export class MemoryEntity {
  private readonly fields = new Map<string, string>();
  /** Counted stream → ring cell → lap * 2^32 + count. */
  private readonly rings = new Map<string, Map<string, number>>();
  private readonly sets = new Map<string, CappedSet>();
  /** Sets that went over the cap: they also feed their HyperLogLogs. */
  private readonly overflowed = new Set<string>();
  /** `<set>:<window>` → its HyperLogLog ring. */
  private readonly hlls = new Map<string, HllWindow>();
  private readonly seen = new DedupRing(DEDUP_EVENTS);
  private watermark = Number.NEGATIVE_INFINITY;

  /** `neverTooLate` (labels): past the horizon the event counts at the newest time seen. */
  apply(eventId: string, time: number, mutations: readonly Mutation[], neverTooLate = false): ApplyOutcome {
    let t = time;
    if (t < this.watermark - HORIZON_MS) {
      if (!neverTooLate) return "too_late";
      t = this.watermark;
    }
    if (this.seen.has(eventId)) return "duplicate";
    this.seen.add(eventId);
    if (t > this.watermark) {
      this.watermark = t;
      this.fields.set(WATERMARK_FIELD, String(t));
    }
    const f = this.fields;
    for (const m of mutations) {
      switch (m.op) {
        case "count":
          this.count(m.stream, m.windows, t);
          break;
        case "distinct":
          this.distinct(m.set, m.member, m.windows, t);
          break;
        case "incr":
          f.set(m.field, String(Number(f.get(m.field) ?? 0) + m.by));
          break;
        case "min": {
          const cur = f.get(m.field);
          if (cur === undefined || m.value < Number(cur)) f.set(m.field, String(m.value));
          break;
        }
        case "max": {
          const cur = f.get(m.field);
          if (cur === undefined || m.value > Number(cur)) f.set(m.field, String(m.value));
          break;
        }
        case "last":
          if (isNewer(t, eventId, f.get(`${m.field}@t`), f.get(`${m.field}@id`))) {
            f.set(m.field, m.value);
            f.set(`${m.field}@t`, String(t));
            f.set(`${m.field}@id`, eventId);
          }
          break;
      }
    }
    return "applied";
  }

  private count(stream: string, windows: readonly number[], t: number): void {
    let ring = this.rings.get(stream);
    if (!ring) {
      ring = new Map();
      this.rings.set(stream, ring);
    }
    for (const unit of countUnits(windows)) {
      const j = bucketIndex(t, unit.ms);
      const field = `${unit.letter}${j % unit.slots}`;
      const lap = Math.floor(j / unit.slots);
      const cur = ring.get(field);
      const curLap = cur === undefined ? -1 : Math.floor(cur / LAP);
      if (curLap === lap) ring.set(field, (cur as number) + 1);
      else if (curLap < lap) ring.set(field, lap * LAP + 1);
      // else: the cell already holds a later lap; this bucket is out of every window read now.
    }
  }

  private distinct(name: string, member: string, windows: readonly number[], t: number): void {
    let set = this.sets.get(name);
    if (!set) {
      set = new CappedSet(DISTINCT_EXACT_CAP);
      this.sets.set(name, set);
    }
    const over = set.add(member, t);
    if (this.overflowed.has(name)) {
      for (const w of windows) this.hll(name, w).add(member, t);
    } else if (over) {
      // First time past the cap: the HyperLogLogs start from every member still known.
      for (const [m, mt] of set.times) for (const w of windows) this.hll(name, w).add(m, mt);
      this.overflowed.add(name);
    }
    if (over) set.popMin();
  }

  private hll(name: string, windowMs: number): HllWindow {
    const key = `${name}:${windowMs}`;
    let w = this.hlls.get(key);
    if (!w) {
      w = new HllWindow(hllRing(windowMs));
      this.hlls.set(key, w);
    }
    return w;
  }

  read(er: EntityRead, asOf: number): EntitySnapshot {
    return {
      fields: Object.fromEntries(this.fields),
      counts: er.counts.map((c) => {
        const ring = this.rings.get(c.name);
        return ring ? sumWindow((field) => ring.get(field), countWindow(asOf, c.windowMs)) : 0;
      }),
      distinct: er.distinct.map((d) => this.distinctCount(d.name, d.windowMs, asOf)),
      members: er.members.map((m) => {
        const t = this.sets.get(m.name)?.times.get(m.member);
        return t !== undefined && t > asOf - m.windowMs ? t : null;
      }),
    };
  }

  private distinctCount(name: string, windowMs: number, asOf: number): number {
    const set = this.sets.get(name);
    if (!set) return 0;
    const from = asOf - windowMs;
    const exact = set.countIn(from, asOf);
    // Exact unless members were dropped from the capped set and the window reaches back to them.
    if (!this.overflowed.has(name) || from >= set.lowest()) return exact;
    const estimate = this.hlls.get(`${name}:${windowMs}`)?.count(asOf);
    return estimate === undefined ? exact : Math.max(exact, estimate);
  }
}

import { bucketIndex, countWindow, hllRing } from "./buckets.ts";
import type { EntityRead, WindowRead } from "./contract.ts";

/** A JSON fragment that stays the same for one layout, and how the read's time completes it. */
interface CountPart {
  readonly head: string;
  readonly unitMs: number;
  readonly tail: string;
}
interface DistinctPart {
  readonly head: string;
  readonly windowMs: number;
  readonly middle: string;
  readonly bucketMs: number;
}

/**
 * The read script's per-entity JSON (protocol: read-entities-lua.ts), from fragments encoded once per
 * layout: a feature set hands every checkout the same `counts` and `distinct` arrays, so per read
 * only the bucket indexes of its time and the members are written, and nothing is serialised
 * twice. Layouts are held weakly: a caller that builds new arrays per read only compiles more.
 */
export class ReadArgsEncoder {
  private readonly counts = new WeakMap<readonly WindowRead[], readonly CountPart[]>();
  private readonly distinct = new WeakMap<readonly WindowRead[], readonly DistinctPart[]>();

  /** The script's ARGV[2] for these entities (in this order), as of `asOf`. */
  encode(entities: readonly EntityRead[], asOf: number): string {
    let out = "[";
    for (let e = 0; e < entities.length; e++) {
      if (e > 0) out += ",";
      out += this.entity(entities[e] as EntityRead, asOf);
    }
    return `${out}]`;
  }

  private entity(er: EntityRead, asOf: number): string {
    let out = "[[";
    const counts = this.countParts(er.counts);
    for (let k = 0; k < counts.length; k++) {
      const c = counts[k] as CountPart;
      out += `${k > 0 ? "," : ""}${c.head}${bucketIndex(asOf, c.unitMs)}${c.tail}`;
    }
    out += "],[";
    const distinct = this.distinctParts(er.distinct);
    for (let k = 0; k < distinct.length; k++) {
      const d = distinct[k] as DistinctPart;
      out += `${k > 0 ? "," : ""}${d.head}${asOf - d.windowMs}${d.middle}${bucketIndex(asOf, d.bucketMs)}]`;
    }
    out += "],[";
    for (let k = 0; k < er.members.length; k++) {
      const m = er.members[k] as EntityRead["members"][number];
      out += `${k > 0 ? "," : ""}[${jsonString(m.name)},${jsonString(m.member)}]`;
    }
    return `${out}]]`;
  }

  private countParts(reads: readonly WindowRead[]): readonly CountPart[] {
    let parts = this.counts.get(reads);
    if (parts === undefined) {
      parts = reads.map((c) => {
        // The unit depends on the window only; the time only picks the newest bucket.
        const w = countWindow(0, c.windowMs);
        return {
          head: `[${jsonString(c.name)},${jsonString(w.unit.letter)},${w.unit.slots},`,
          unitMs: w.unit.ms,
          tail: `,${w.n}]`,
        };
      });
      this.counts.set(reads, parts);
    }
    return parts;
  }

  private distinctParts(reads: readonly WindowRead[]): readonly DistinctPart[] {
    let parts = this.distinct.get(reads);
    if (parts === undefined) {
      parts = reads.map((d) => {
        const ring = hllRing(d.windowMs);
        return {
          head: `[${jsonString(d.name)},`,
          windowMs: d.windowMs,
          middle: `,${d.windowMs},${ring.buckets},`,
          bucketMs: ring.bucketMs,
        };
      });
      this.distinct.set(reads, parts);
    }
    return parts;
  }
}

/**
 * A JSON string that Redis's cjson accepts: it rejects the \u escapes JSON.stringify writes for
 * lone surrogates, so those become U+FFFD first (as in any UTF-8 encoding of the value).
 */
export function jsonString(s: string): string {
  return JSON.stringify(s.isWellFormed() ? s : s.toWellFormed());
}

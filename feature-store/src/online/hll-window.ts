import { bucketIndex, type HllRing } from "./buckets.ts";
import { countUnion, HyperLogLog } from "./hyperloglog.ts";

interface Cell {
  readonly index: number;
  readonly hll: HyperLogLog;
}

/**
 * One set's HyperLogLog cells for one window (the ring of `buckets` time buckets that Redis keeps
 * as `<base>:u:<set>:<window>:<slot>` keys), plus the union of its live cells kept current as
 * members arrive: a read as of the entity's newest event, the serving and backfill case, then
 * costs one 64-step estimate instead of a merge of 2^14 registers per cell.
 */
export class HllWindow {
  private readonly ring: HllRing;
  private readonly cells: (Cell | undefined)[];
  private union = new HyperLogLog();

  constructor(ring: HllRing) {
    this.ring = ring;
    this.cells = new Array(ring.buckets);
  }

  add(member: string, t: number): void {
    const index = bucketIndex(t, this.ring.bucketMs);
    const slot = index % this.ring.buckets;
    const cur = this.cells[slot];
    if (!cur || index > cur.index) {
      // The slot's previous bucket has left every window: it starts over.
      const hll = new HyperLogLog();
      const { index: register, rank } = hll.add(member);
      this.cells[slot] = { index, hll };
      if (cur) this.union = HyperLogLog.union(this.live().map((c) => c.hll));
      else this.union.offer(register, rank);
    } else if (index === cur.index) {
      const { index: register, rank } = cur.hll.add(member);
      this.union.offer(register, rank);
    }
  }

  /** The estimate over the cells inside the window read as of `asOf`; undefined when none is. */
  count(asOf: number): number | undefined {
    const newest = bucketIndex(asOf, this.ring.bucketMs);
    const live = this.live();
    const inWindow = live.filter((c) => c.index > newest - this.ring.buckets && c.index <= newest);
    if (inWindow.length === 0) return undefined;
    if (inWindow.length === live.length) return this.union.count();
    return countUnion(inWindow.map((c) => c.hll));
  }

  private live(): Cell[] {
    return this.cells.filter((c): c is Cell => c !== undefined);
  }
}

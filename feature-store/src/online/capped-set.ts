/**
 * Members with their newest time, keeping at most `cap`: past it, the member with the lowest time
 * goes (ties: the lowest by UTF-8 bytes), exactly as a Redis sorted set trimmed with ZPOPMIN, so
 * both stores keep the same members: the `cap` most recent, whatever the order of arrival.
 */
export class CappedSet {
  readonly times = new Map<string, number>();
  private readonly cap: number;

  constructor(cap: number) {
    this.cap = cap;
  }

  /** Adds or moves a member to a newer time; returns whether the set went over its cap. */
  add(member: string, t: number): boolean {
    const prev = this.times.get(member);
    if (prev === undefined || t > prev) this.times.set(member, t);
    return this.times.size > this.cap;
  }

  popMin(): void {
    let minMember: string | undefined;
    let minT = Number.POSITIVE_INFINITY;
    for (const [m, t] of this.times) {
      if (t < minT || (t === minT && Buffer.compare(Buffer.from(m), Buffer.from(minMember ?? "")) < 0)) {
        minT = t;
        minMember = m;
      }
    }
    if (minMember !== undefined) this.times.delete(minMember);
  }

  /** The lowest time kept. */
  lowest(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const t of this.times.values()) if (t < min) min = t;
    return min;
  }

  /** Members whose newest time lies in (from, to]. */
  countIn(from: number, to: number): number {
    let n = 0;
    for (const t of this.times.values()) if (t > from && t <= to) n++;
    return n;
  }
}

/** Readable, prefixed identifiers from per-prefix counters ("u_000123", "evt_0000004711"). */
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

/** Event ids are zero-padded so that their string order equals their numeric order. */
export const EVENT_ID_WIDTH = 10;

export function eventId(seq: number): string {
  return `evt_${String(seq).padStart(EVENT_ID_WIDTH, "0")}`;
}

/**
 * The latest `size` event ids an entity applied, in arrival order: what the Redis store keeps as
 * a ring of 8-byte digests (apply-event-lua.ts), so both stores refuse the same redeliveries.
 */
export class DedupRing {
  // Grows to `size`, then wraps: most entities never see that many events.
  private readonly ids: string[] = [];
  private readonly present = new Set<string>();
  private readonly size: number;
  private next = 0;

  constructor(size: number) {
    this.size = size;
  }

  has(id: string): boolean {
    return this.present.has(id);
  }

  add(id: string): void {
    if (this.ids.length < this.size) {
      this.ids.push(id);
    } else {
      this.present.delete(this.ids[this.next] as string);
      this.ids[this.next] = id;
      this.next = (this.next + 1) % this.size;
    }
    this.present.add(id);
  }
}

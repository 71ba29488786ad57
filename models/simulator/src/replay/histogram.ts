/**
 * Latencies in fixed 0.1 ms buckets up to 10 s (the last bucket holds everything slower): memory is
 * the same for ten checkouts or ten million.
 */
export class LatencyHistogram {
  private static readonly BUCKET_MS = 0.1;
  private readonly buckets = new Uint32Array(100_001);
  count = 0;

  record(ms: number): void {
    const i = Math.min(this.buckets.length - 1, Math.max(0, Math.floor(ms / LatencyHistogram.BUCKET_MS)));
    this.buckets[i] = (this.buckets[i] ?? 0) + 1;
    this.count++;
  }

  /** The upper edge of the bucket holding the q-quantile (0 < q ≤ 1); NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i] ?? 0;
      if (seen >= rank) return (i + 1) * LatencyHistogram.BUCKET_MS;
    }
    return Number.NaN;
  }
}

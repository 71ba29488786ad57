/** The next offset to read on one partition: one past the last message written to the store. */
export interface PartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * Offsets whose events are in the store but not yet committed to Kafka, and when to commit them.
 * A commit is a broker round trip (an append to __consumer_offsets); made after every batch, it held
 * up the next partition's batch and the next fetch, so an event's wait for visibility grew with the
 * number of partitions that had data. Committing at most every `intervalMs` keeps it off that path;
 * what a crash can re-deliver grows to one interval of events, which the store's per-event dedup
 * absorbs. Memory: one entry per assigned partition.
 */
export class PendingCommits {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly pending = new Map<string, PartitionOffset>();
  private lastTakenAt: number;

  /** `intervalMs` 0: every batch is committed as soon as it is written. */
  constructor(intervalMs: number, now: () => number) {
    this.intervalMs = intervalMs;
    this.now = now;
    this.lastTakenAt = now();
  }

  /** After a batch's store write succeeded; a lower offset than one already pending is ignored. */
  written(next: PartitionOffset): void {
    const key = `${next.topic}\u0000${next.partition}`;
    const held = this.pending.get(key);
    if (held === undefined || BigInt(next.offset) > BigInt(held.offset)) this.pending.set(key, next);
  }

  /** Something is pending and the interval since the last commit has passed. */
  due(): boolean {
    return this.pending.size > 0 && this.now() - this.lastTakenAt >= this.intervalMs;
  }

  /** Everything pending, for the caller to commit; the interval starts again. */
  take(): PartitionOffset[] {
    const offsets = [...this.pending.values()];
    this.pending.clear();
    this.lastTakenAt = this.now();
    return offsets;
  }
}

type TopicOffsets = { topic: string; partitions: { partition: number; offset: string }[] };

/** Offsets grouped by topic, as kafkajs commits them. */
export function byTopic(offsets: readonly PartitionOffset[]): TopicOffsets[] {
  const topics = new Map<string, TopicOffsets>();
  for (const o of offsets) {
    const t = topics.get(o.topic) ?? { topic: o.topic, partitions: [] };
    t.partitions.push({ partition: o.partition, offset: o.offset });
    topics.set(o.topic, t);
  }
  return [...topics.values()];
}

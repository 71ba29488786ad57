import type { RedisClient } from "@riskgate/common/redis-client";

export interface StoredDecision {
  /** Hash of the request body: the same event_id with another body is a conflict, not a retry. */
  readonly bodyHash: string;
  readonly response: unknown;
}

/** Remembers each event's decision so a retried checkout gets the same answer without rescoring. */
export interface DecisionStore {
  get(eventId: string): Promise<StoredDecision | null>;
  /** Stores unless present; returns what is stored afterwards (the other writer's, if it won). */
  putIfAbsent(eventId: string, value: StoredDecision): Promise<StoredDecision>;
}

export class RedisDecisionStore implements DecisionStore {
  private readonly redis: RedisClient;
  private readonly prefix: string;
  private readonly ttlSeconds: number;

  constructor(redis: RedisClient, prefix: string, ttlSeconds: number) {
    this.redis = redis;
    this.prefix = prefix;
    this.ttlSeconds = ttlSeconds;
  }

  private key(eventId: string) {
    return `${this.prefix}decision:{${eventId}}`;
  }

  async get(eventId: string): Promise<StoredDecision | null> {
    const raw = await this.redis.get(this.key(eventId));
    return raw === null ? null : (JSON.parse(raw) as StoredDecision);
  }

  async putIfAbsent(eventId: string, value: StoredDecision): Promise<StoredDecision> {
    const ok = await this.redis.set(this.key(eventId), JSON.stringify(value), "EX", this.ttlSeconds, "NX");
    if (ok === "OK") return value;
    return (await this.get(eventId)) ?? value;
  }
}

/** The embedded default: bounded, oldest entries evicted first, so memory cannot grow without limit. */
export class MemoryDecisionStore implements DecisionStore {
  private readonly entries = new Map<string, StoredDecision>();
  private readonly maxEntries: number;

  constructor(maxEntries: number) {
    this.maxEntries = maxEntries;
  }

  async get(eventId: string): Promise<StoredDecision | null> {
    return this.entries.get(eventId) ?? null;
  }

  async putIfAbsent(eventId: string, value: StoredDecision): Promise<StoredDecision> {
    const existing = this.entries.get(eventId);
    if (existing) return existing;
    this.entries.set(eventId, value);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return value;
  }
}

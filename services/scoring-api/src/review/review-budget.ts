import type { RedisClient } from "@riskgate/common/redis-client";

/**
 * The daily review capacity, shared by every replica. A review beyond it is settled by
 * decision/review-capacity.ts instead, so the queue never holds more than reviewers can work in a day.
 */
export interface ReviewBudget {
  /** Takes one review from today's budget; false when it is spent. */
  tryTake(now: Date): Promise<boolean>;
  used(now: Date): Promise<number>;
  readonly capacity: number;
}

const day = (now: Date) => now.toISOString().slice(0, 10);

export class RedisReviewBudget implements ReviewBudget {
  private readonly redis: RedisClient;
  private readonly prefix: string;
  readonly capacity: number;

  constructor(redis: RedisClient, prefix: string, capacity: number) {
    this.redis = redis;
    this.prefix = prefix;
    this.capacity = capacity;
  }

  private key(now: Date) {
    return `${this.prefix}review-budget:${day(now)}`;
  }

  async tryTake(now: Date): Promise<boolean> {
    const key = this.key(now);
    const [[, count]] = (await this.redis
      .multi()
      .incr(key)
      .expire(key, 2 * 86_400)
      .exec()) as [[null, number]];
    return count <= this.capacity;
  }

  async used(now: Date): Promise<number> {
    return Math.min(this.capacity, Number((await this.redis.get(this.key(now))) ?? 0));
  }
}

export class MemoryReviewBudget implements ReviewBudget {
  private current = { day: "", count: 0 };
  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  async tryTake(now: Date): Promise<boolean> {
    if (this.current.day !== day(now)) this.current = { day: day(now), count: 0 };
    this.current.count++;
    return this.current.count <= this.capacity;
  }

  async used(now: Date): Promise<number> {
    return this.current.day === day(now) ? Math.min(this.capacity, this.current.count) : 0;
  }
}

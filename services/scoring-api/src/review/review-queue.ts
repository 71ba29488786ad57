import type { Redis } from "ioredis";

export interface NewCase {
  readonly caseId: string;
  readonly eventId: string;
  readonly userId: string;
  readonly paymentInstrumentId: string;
  readonly score: number | null;
  readonly amountEur: number;
  /** Expected loss if it is fraud and waved through: probability × amount. Higher is worked first. */
  readonly priority: number;
  readonly reasons: readonly { code: string; detail: string }[];
  readonly createdAt: number;
  readonly slaDeadline: number;
}

/** Where checkouts routed to review wait for a human. Opening a case twice for one event is a no-op. */
export interface ReviewQueue {
  open(c: NewCase): Promise<boolean>;
}

/** The case id is derived from the event id, so a retried checkout can never open a second case. */
export const caseIdFor = (eventId: string) => `rc_${eventId}`;

// One hash tag for the whole queue: the open set and its cases live on one Redis Cluster slot.
const OPEN_CASE_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
return 1
`;

export class RedisReviewQueue implements ReviewQueue {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    if (!("rgOpenCase" in redis)) redis.defineCommand("rgOpenCase", { numberOfKeys: 2, lua: OPEN_CASE_LUA });
  }

  caseKey(caseId: string) {
    return `${this.prefix}review:{q}:case:${caseId}`;
  }

  get openKey() {
    return `${this.prefix}review:{q}:open`;
  }

  async open(c: NewCase): Promise<boolean> {
    const fields = Object.entries({
      id: c.caseId,
      event_id: c.eventId,
      user_id: c.userId,
      payment_instrument_id: c.paymentInstrumentId,
      score: c.score === null ? "" : String(c.score),
      amount_eur: String(c.amountEur),
      priority: String(c.priority),
      reasons: JSON.stringify(c.reasons),
      status: "open",
      created_at: String(c.createdAt),
      sla_deadline: String(c.slaDeadline),
    }).flat();
    const run = (this.redis as unknown as { rgOpenCase: (...a: string[]) => Promise<number> }).rgOpenCase;
    const created = await run.call(
      this.redis,
      this.caseKey(c.caseId),
      this.openKey,
      String(c.priority),
      c.caseId,
      ...fields,
    );
    return created === 1;
  }
}

/** The embedded default, bounded so an unattended dev process cannot grow without limit. */
export class MemoryReviewQueue implements ReviewQueue {
  readonly cases = new Map<string, NewCase>();

  constructor(private readonly maxCases: number) {}

  async open(c: NewCase): Promise<boolean> {
    if (this.cases.has(c.caseId)) return false;
    if (this.cases.size >= this.maxCases) {
      const oldest = this.cases.keys().next().value;
      if (oldest !== undefined) this.cases.delete(oldest);
    }
    this.cases.set(c.caseId, c);
    return true;
  }
}

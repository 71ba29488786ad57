import type { RedisClient } from "@riskgate/common/redis-client";
import {
  type CasePage,
  type CaseStatus,
  CLOSED_RETAINED,
  CLOSED_TTL_S,
  type ClaimOutcome,
  type CommitOutcome,
  closedMember,
  decodeCursor,
  encodeCursor,
  type Hash,
  idOf,
  type ListQuery,
  type NewCase,
  newCaseHash,
  type Outcome,
  type PrepareOutcome,
  type QueueStats,
  type ReviewCase,
  type ReviewLabel,
  type ReviewQueue,
  type SlaAction,
  toCase,
} from "./review-queue.ts";
import { SCRIPTS, type ScriptName } from "./review-queue-lua.ts";

function pairs(flat: string[]): Hash {
  const h: Hash = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i] as string] = flat[i + 1] as string;
  return h;
}

const MAX_LIST_SCAN = 2_000;

export class RedisReviewQueue implements ReviewQueue {
  private readonly redis: RedisClient;
  private readonly prefix: string;

  constructor(redis: RedisClient, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
    for (const [name, [numberOfKeys, lua]] of Object.entries(SCRIPTS)) {
      if (!(name in redis)) redis.defineCommand(name, { numberOfKeys, lua });
    }
  }

  private run<T>(name: ScriptName, ...args: string[]): Promise<T> {
    return (this.redis as unknown as Record<ScriptName, (...a: string[]) => Promise<T>>)[name].apply(
      this.redis,
      args,
    );
  }

  private key(name: string) {
    return `${this.prefix}review:{q}:${name}`;
  }

  caseKey(caseId: string) {
    return this.key(`case:${caseId}`);
  }

  get openKey() {
    return this.key("open");
  }

  private indexFor(status: CaseStatus) {
    return status === "resolved"
      ? this.key("resolved")
      : status === "expired"
        ? this.key("expired")
        : this.key("order");
  }

  private outcome<O extends string>(reply: string[], now: number): Outcome<O> {
    const [o, ...flat] = reply;
    return { outcome: o as O, case: flat.length > 0 ? toCase(pairs(flat), now) : null };
  }

  async open(c: NewCase): Promise<boolean> {
    const h = newCaseHash(c);
    const created = await this.run<number>(
      "rgOpenCase",
      this.caseKey(c.caseId),
      this.openKey,
      this.key("order"),
      this.key("created"),
      this.key("sla"),
      String(c.priority),
      c.caseId,
      h._order as string,
      String(c.createdAt),
      String(c.slaDeadline),
      ...Object.entries(h).flat(),
    );
    return created === 1;
  }

  async get(caseId: string, now: number): Promise<ReviewCase | null> {
    const h = await this.redis.hgetall(this.caseKey(caseId));
    return h.id ? toCase(h, now) : null;
  }

  async list(q: ListQuery, now: number): Promise<CasePage> {
    const index = this.indexFor(q.status);
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    let start = after ? `(${after}` : "-";
    const cases: ReviewCase[] = [];
    let last: string | undefined;
    let scanned = 0;
    let exhausted = false;
    const batch = Math.min(Math.max(q.limit * 2, 50), 500);
    while (cases.length < q.limit && scanned < MAX_LIST_SCAN) {
      const members = await this.redis.zrangebylex(index, start, "+", "LIMIT", 0, batch);
      const pipe = this.redis.pipeline();
      for (const m of members) pipe.hgetall(this.caseKey(idOf(m, q.status)));
      const hashes = members.length > 0 ? ((await pipe.exec()) ?? []) : [];
      let i = 0;
      for (; i < members.length && cases.length < q.limit; i++) {
        scanned++;
        last = members[i] as string;
        const h = hashes[i]?.[1] as Hash | undefined;
        if (!h?.id) continue;
        const c = toCase(h, now);
        if (c.status === q.status) cases.push(c);
      }
      if (members.length < batch && i === members.length) {
        exhausted = true;
        break;
      }
      start = `(${last}`;
    }
    return { cases, next_cursor: exhausted || last === undefined ? null : encodeCursor(last) };
  }

  async claim(caseId: string, reviewer: string, now: number, leaseExpiresAt: number) {
    const reply = await this.run<string[]>(
      "rgClaimCase",
      this.caseKey(caseId),
      this.key("leases"),
      String(now),
      reviewer,
      String(leaseExpiresAt),
    );
    return this.outcome<ClaimOutcome>(reply, now);
  }

  async prepareResolve(
    caseId: string,
    reviewer: string,
    label: ReviewLabel,
    now: number,
    graceUntil: number,
  ) {
    const reply = await this.run<string[]>(
      "rgPrepareResolve",
      this.caseKey(caseId),
      this.key("leases"),
      String(now),
      reviewer,
      label,
      String(graceUntil),
    );
    return this.outcome<PrepareOutcome>(reply, now);
  }

  async commitResolve(caseId: string, reviewer: string, label: ReviewLabel, note: string, now: number) {
    const reply = await this.run<string[]>(
      "rgCommitResolve",
      this.caseKey(caseId),
      this.openKey,
      this.key("order"),
      this.key("created"),
      this.key("sla"),
      this.key("leases"),
      this.key("resolved"),
      this.key("expired"),
      String(now),
      reviewer,
      label,
      note,
      closedMember(now, caseId),
      String(CLOSED_RETAINED),
      String(CLOSED_TTL_S),
    );
    return this.outcome<CommitOutcome>(reply, now);
  }

  overdue(now: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.key("sla"), "-inf", now, "LIMIT", 0, limit);
  }

  async expire(caseId: string, now: number, action: SlaAction, announce = false): Promise<ReviewCase | null> {
    const reply = await this.run<string[]>(
      "rgExpireCase",
      this.caseKey(caseId),
      this.openKey,
      this.key("order"),
      this.key("created"),
      this.key("sla"),
      this.key("leases"),
      this.key("expired"),
      this.key("unannounced"),
      String(now),
      action,
      closedMember(now, caseId),
      String(CLOSED_RETAINED),
      String(CLOSED_TTL_S),
      caseId,
      announce ? "1" : "0",
    );
    const r = this.outcome<string>(reply, now);
    return r.outcome === "expired" ? r.case : null;
  }

  unannounced(before: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.key("unannounced"), "-inf", before, "LIMIT", 0, limit);
  }

  async announced(caseId: string): Promise<void> {
    await this.redis.zrem(this.key("unannounced"), caseId);
  }

  async stats(now: number): Promise<QueueStats> {
    const [unresolved, claimed, resolved, expired, oldest] = await this.run<
      [number, number, number, number, string]
    >(
      "rgReviewStats",
      this.openKey,
      this.key("leases"),
      this.key("resolved"),
      this.key("expired"),
      this.key("created"),
      String(now),
    );
    return {
      open: unresolved - claimed,
      claimed,
      resolved,
      expired,
      oldestCreatedAt: oldest === "-1" ? null : Number(oldest),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Memory: the embedded default, the same state machine over the same hash shape, bounded so an
// unattended dev process cannot grow without limit (the oldest case is dropped first).
// ---------------------------------------------------------------------------------------------

import type { Redis } from "ioredis";
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

const OUT = `
local function out(o) local r = redis.call('HGETALL', KEYS[1]); table.insert(r, 1, o); return r end
`;

// KEYS case, open, order, created, sla; ARGV priority, id, order member, created_at, deadline, fields...
const OPEN_CASE_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], 0, ARGV[3])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[2])
redis.call('ZADD', KEYS[5], ARGV[5], ARGV[2])
return 1
`;

// KEYS case, leases; ARGV now, reviewer, lease expiry
const CLAIM_LUA = `${OUT}
local s = redis.call('HMGET', KEYS[1], 'status', 'claimed_by', 'lease_expires_at', 'id')
if not s[1] then return {'not_found'} end
if s[1] == 'resolved' or s[1] == 'expired' then return out('closed') end
local now = tonumber(ARGV[1])
local live = s[1] == 'claimed' and tonumber(s[3]) > now
if live and s[2] ~= ARGV[2] then return out('claimed') end
if not live then redis.call('HSET', KEYS[1], 'claimed_at', ARGV[1]) end
redis.call('HSET', KEYS[1], 'status', 'claimed', 'claimed_by', ARGV[2], 'lease_expires_at', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[3], s[4])
return out('ok')
`;

// KEYS case, leases; ARGV now, reviewer, label, grace expiry
const PREPARE_LUA = `${OUT}
local s = redis.call('HMGET', KEYS[1], 'status', 'claimed_by', 'lease_expires_at', 'resolution', 'resolved_by', 'id')
if not s[1] then return {'not_found'} end
if s[1] == 'resolved' then
  if s[5] == ARGV[2] and s[4] == ARGV[3] then return out('already') end
  return out('closed')
end
if s[1] == 'expired' then return out('closed') end
if s[1] ~= 'claimed' then return out('not_claimed') end
local live = tonumber(s[3]) > tonumber(ARGV[1])
if s[2] ~= ARGV[2] then
  if live then return out('not_holder') end
  return out('not_claimed')
end
if not live then return out('lease_expired') end
if tonumber(ARGV[4]) > tonumber(s[3]) then
  redis.call('HSET', KEYS[1], 'lease_expires_at', ARGV[4])
  redis.call('ZADD', KEYS[2], ARGV[4], s[6])
end
return out('ok')
`;

// KEYS case, open, order, created, sla, leases, resolved, expired
// ARGV now, reviewer, label, note, closed member, retained, ttl seconds
const COMMIT_LUA = `${OUT}
local s = redis.call('HMGET', KEYS[1], 'status', 'claimed_by', 'resolution', 'resolved_by', 'id', '_order', '_closed')
if not s[1] then return {'not_found'} end
if s[1] == 'resolved' then
  if s[4] == ARGV[2] and s[3] == ARGV[3] then return out('already') end
  return out('closed')
end
if s[2] ~= ARGV[2] or (s[1] ~= 'claimed' and s[1] ~= 'expired') then return out('lost') end
redis.call('HSET', KEYS[1], 'status', 'resolved', 'resolution', ARGV[3], 'note', ARGV[4],
  'resolved_by', ARGV[2], 'resolved_at', ARGV[1], '_closed', ARGV[5])
redis.call('ZREM', KEYS[2], s[5])
if s[6] then redis.call('ZREM', KEYS[3], s[6]) end
redis.call('ZREM', KEYS[4], s[5])
redis.call('ZREM', KEYS[5], s[5])
redis.call('ZREM', KEYS[6], s[5])
if s[1] == 'expired' and s[7] then redis.call('ZREM', KEYS[8], s[7]) end
redis.call('ZADD', KEYS[7], 0, ARGV[5])
redis.call('ZREMRANGEBYRANK', KEYS[7], tonumber(ARGV[6]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[7])
return out('ok')
`;

// KEYS case, open, order, created, sla, leases, expired
// ARGV now, action, closed member, retained, ttl seconds, id
const EXPIRE_LUA = `${OUT}
local s = redis.call('HMGET', KEYS[1], 'status', 'sla_deadline', '_order')
if (not s[1]) or (s[1] ~= 'open' and s[1] ~= 'claimed') then
  redis.call('ZREM', KEYS[5], ARGV[6])
  return {'gone'}
end
if tonumber(s[2]) > tonumber(ARGV[1]) then return {'not_due'} end
redis.call('HSET', KEYS[1], 'status', 'expired', 'expired_at', ARGV[1], 'sla_action', ARGV[2], '_closed', ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[6])
if s[3] then redis.call('ZREM', KEYS[3], s[3]) end
redis.call('ZREM', KEYS[4], ARGV[6])
redis.call('ZREM', KEYS[5], ARGV[6])
redis.call('ZREM', KEYS[6], ARGV[6])
redis.call('ZADD', KEYS[7], 0, ARGV[3])
redis.call('ZREMRANGEBYRANK', KEYS[7], tonumber(ARGV[4]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[5])
return out('expired')
`;

// KEYS open, leases, resolved, expired, created; ARGV now
const STATS_LUA = `
local oldest = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCOUNT', KEYS[2], '(' .. ARGV[1], '+inf'),
  redis.call('ZCARD', KEYS[3]), redis.call('ZCARD', KEYS[4]), oldest[2] or '-1'}
`;

const SCRIPTS = {
  rgOpenCase: [5, OPEN_CASE_LUA],
  rgClaimCase: [2, CLAIM_LUA],
  rgPrepareResolve: [2, PREPARE_LUA],
  rgCommitResolve: [8, COMMIT_LUA],
  rgExpireCase: [7, EXPIRE_LUA],
  rgReviewStats: [5, STATS_LUA],
} as const;
type ScriptName = keyof typeof SCRIPTS;

function pairs(flat: string[]): Hash {
  const h: Hash = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i] as string] = flat[i + 1] as string;
  return h;
}

const MAX_LIST_SCAN = 2_000;

export class RedisReviewQueue implements ReviewQueue {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
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

  async expire(caseId: string, now: number, action: SlaAction): Promise<ReviewCase | null> {
    const reply = await this.run<string[]>(
      "rgExpireCase",
      this.caseKey(caseId),
      this.openKey,
      this.key("order"),
      this.key("created"),
      this.key("sla"),
      this.key("leases"),
      this.key("expired"),
      String(now),
      action,
      closedMember(now, caseId),
      String(CLOSED_RETAINED),
      String(CLOSED_TTL_S),
      caseId,
    );
    const r = this.outcome<string>(reply, now);
    return r.outcome === "expired" ? r.case : null;
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

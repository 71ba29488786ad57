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

export const CASE_STATUSES = ["open", "claimed", "resolved", "expired"] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export type ReviewLabel = "fraud" | "legit";
export type SlaAction = "allow" | "block";

/** A case as the API shows it. `status` is effective: a claimed case whose lease lapsed is `open`. */
export interface ReviewCase {
  id: string;
  event_id: string;
  user_id: string;
  payment_instrument_id: string;
  score: number | null;
  amount_eur: number;
  priority: number;
  reasons: { code: string; detail: string }[];
  created_at: string;
  sla_deadline: string;
  status: CaseStatus;
  /** API key id of the reviewer holding the live lease (or who resolved the case). */
  claimed_by: string | null;
  lease_expires_at: string | null;
  resolution: ReviewLabel | null;
  note: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  /** The SLA default applied when the case expired unworked. */
  sla_action: SlaAction | null;
  expired_at: string | null;
}

export interface ListQuery {
  readonly status: CaseStatus;
  readonly limit: number;
  /** Opaque, from the previous page's `next_cursor`. */
  readonly cursor?: string | undefined;
}

export interface CasePage {
  cases: ReviewCase[];
  next_cursor: string | null;
}

export type ClaimOutcome = "ok" | "not_found" | "closed" | "claimed";
/** `already`: resolved before by the same reviewer with the same label (an idempotent retry). */
export type PrepareOutcome =
  | "ok"
  | "already"
  | "not_found"
  | "closed"
  | "not_claimed"
  | "lease_expired"
  | "not_holder";
/** `lost`: another reviewer took the case between prepare and commit. */
export type CommitOutcome = "ok" | "already" | "not_found" | "closed" | "lost";

export interface Outcome<O extends string> {
  readonly outcome: O;
  readonly case: ReviewCase | null;
}

export interface QueueStats {
  /** Unresolved cases nobody holds a live lease on. */
  readonly open: number;
  /** Cases under a live lease. */
  readonly claimed: number;
  /** Closed cases still retained (capped per status, see CLOSED_RETAINED). */
  readonly resolved: number;
  readonly expired: number;
  /** created_at of the oldest unresolved case, or null when there is none. */
  readonly oldestCreatedAt: number | null;
}

/**
 * Where checkouts routed to review wait for a human. Opening a case twice for one event is a no-op.
 * Every state change is one atomic step, so concurrent reviewers and replicas agree.
 */
export interface ReviewQueue {
  open(c: NewCase): Promise<boolean>;
  get(caseId: string, now: number): Promise<ReviewCase | null>;
  list(q: ListQuery, now: number): Promise<CasePage>;
  /** Takes (or, by the holder, renews) the lease until `leaseExpiresAt`. */
  claim(
    caseId: string,
    reviewer: string,
    now: number,
    leaseExpiresAt: number,
  ): Promise<Outcome<ClaimOutcome>>;
  /** Checks that `reviewer` holds a live lease and extends it to at least `graceUntil`; changes nothing else. */
  prepareResolve(
    caseId: string,
    reviewer: string,
    label: ReviewLabel,
    now: number,
    graceUntil: number,
  ): Promise<Outcome<PrepareOutcome>>;
  /** Marks the case resolved (after the label was published); accepted while the reviewer is still the holder. */
  commitResolve(
    caseId: string,
    reviewer: string,
    label: ReviewLabel,
    note: string,
    now: number,
  ): Promise<Outcome<CommitOutcome>>;
  /** Ids of unresolved cases whose SLA deadline is at or before `now`, oldest deadline first. */
  overdue(now: number, limit: number): Promise<string[]>;
  /** Expires one overdue case with the default action; null when it was not due or already closed (exactly once across replicas). */
  expire(caseId: string, now: number, action: SlaAction): Promise<ReviewCase | null>;
  stats(now: number): Promise<QueueStats>;
}

/** The case id is derived from the event id, so a retried checkout can never open a second case. */
export const caseIdFor = (eventId: string) => `rc_${eventId}`;

/** Resolved and expired cases kept listable per status; their records expire after CLOSED_TTL_S. */
export const CLOSED_RETAINED = 100_000;
export const CLOSED_TTL_S = 30 * 86_400;

// Sort keys. Unresolved cases are listed by priority desc, then created_at asc, then id: one
// lexicographic key (inverted, zero-padded priority in micro-euros; padded created_at; id) in a
// ZSET of equal scores, so paging is ZRANGEBYLEX from the last key seen. Closed cases are listed
// newest first by the same trick. The widths are fixed, so the id is the key's tail.
const MAX_PRIORITY_MICROS = 99_999_999_999_999;
const ORDER_ID_AT = 14 + 1 + 15 + 1;
const CLOSED_ID_AT = 15 + 1;

export function orderMember(priority: number, createdAt: number, id: string): string {
  const p = Math.min(Math.max(Math.round(priority * 1e6), 0), MAX_PRIORITY_MICROS);
  return `${String(MAX_PRIORITY_MICROS - p).padStart(14, "0")}:${String(createdAt).padStart(15, "0")}:${id}`;
}

export function closedMember(closedAt: number, id: string): string {
  return `${String(1e15 - closedAt).padStart(15, "0")}:${id}`;
}

const idOf = (member: string, status: CaseStatus) =>
  member.slice(status === "open" || status === "claimed" ? ORDER_ID_AT : CLOSED_ID_AT);

const encodeCursor = (member: string) => Buffer.from(member, "utf8").toString("base64url");
export function decodeCursor(cursor: string): string | null {
  const member = Buffer.from(cursor, "base64url").toString("utf8");
  return /^\d{14,15}:/.test(member) ? member : null;
}

type Hash = Record<string, string>;

function newCaseHash(c: NewCase): Hash {
  return {
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
    _order: orderMember(c.priority, c.createdAt, c.caseId),
  };
}

const iso = (ms: string | undefined) => (ms ? new Date(Number(ms)).toISOString() : null);

/** The API view of a stored case at `now` (shared by both queues, so they present alike). */
export function toCase(h: Hash, now: number): ReviewCase {
  const leaseLive = h.status === "claimed" && Number(h.lease_expires_at) > now;
  const closed = h.status === "resolved" || h.status === "expired";
  const status: CaseStatus = h.status === "claimed" && !leaseLive ? "open" : (h.status as CaseStatus);
  return {
    id: h.id as string,
    event_id: h.event_id as string,
    user_id: h.user_id as string,
    payment_instrument_id: h.payment_instrument_id as string,
    score: h.score ? Number(h.score) : null,
    amount_eur: Number(h.amount_eur),
    priority: Number(h.priority),
    reasons: JSON.parse(h.reasons ?? "[]"),
    created_at: iso(h.created_at) as string,
    sla_deadline: iso(h.sla_deadline) as string,
    status,
    claimed_by: leaseLive || closed ? (h.claimed_by ?? null) : null,
    lease_expires_at: leaseLive ? iso(h.lease_expires_at) : null,
    resolution: (h.resolution as ReviewLabel | undefined) ?? null,
    note: h.note ?? null,
    resolved_by: h.resolved_by ?? null,
    resolved_at: iso(h.resolved_at),
    sla_action: (h.sla_action as SlaAction | undefined) ?? null,
    expired_at: iso(h.expired_at),
  };
}

// ---------------------------------------------------------------------------------------------
// Redis: every key shares the hash tag {q}, so each script touches one Redis Cluster slot.
//   case:<id>  hash      open      zset priority → id (unresolved: open or claimed)
//   order      lex zset  created   zset created_at → id (unresolved)
//   sla        zset deadline → id (unresolved)          leases  zset lease expiry → id (claimed)
//   resolved / expired   lex zsets, newest first, capped at CLOSED_RETAINED
// ---------------------------------------------------------------------------------------------

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
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
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

export class MemoryReviewQueue implements ReviewQueue {
  private readonly cases = new Map<string, Hash>();

  constructor(private readonly maxCases: number) {}

  async open(c: NewCase): Promise<boolean> {
    if (this.cases.has(c.caseId)) return false;
    if (this.cases.size >= this.maxCases) {
      const oldest = this.cases.keys().next().value;
      if (oldest !== undefined) this.cases.delete(oldest);
    }
    this.cases.set(c.caseId, newCaseHash(c));
    return true;
  }

  private result<O extends string>(outcome: O, h: Hash | undefined, now: number): Outcome<O> {
    return { outcome, case: h ? toCase(h, now) : null };
  }

  async get(caseId: string, now: number): Promise<ReviewCase | null> {
    const h = this.cases.get(caseId);
    return h ? toCase(h, now) : null;
  }

  async list(q: ListQuery, now: number): Promise<CasePage> {
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    const closed = q.status === "resolved" || q.status === "expired";
    const rows: [string, Hash][] = [];
    for (const h of this.cases.values()) {
      if (toCase(h, now).status !== q.status) continue;
      const member = (closed ? h._closed : h._order) as string;
      if (after === null || member > after) rows.push([member, h]);
    }
    rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const page = rows.slice(0, q.limit);
    const last = page.at(-1)?.[0];
    return {
      cases: page.map(([, h]) => toCase(h, now)),
      next_cursor: rows.length > q.limit && last !== undefined ? encodeCursor(last) : null,
    };
  }

  async claim(caseId: string, reviewer: string, now: number, leaseExpiresAt: number) {
    const h = this.cases.get(caseId);
    if (!h) return this.result<ClaimOutcome>("not_found", h, now);
    if (h.status === "resolved" || h.status === "expired") return this.result<ClaimOutcome>("closed", h, now);
    const live = h.status === "claimed" && Number(h.lease_expires_at) > now;
    if (live && h.claimed_by !== reviewer) return this.result<ClaimOutcome>("claimed", h, now);
    if (!live) h.claimed_at = String(now);
    Object.assign(h, { status: "claimed", claimed_by: reviewer, lease_expires_at: String(leaseExpiresAt) });
    return this.result<ClaimOutcome>("ok", h, now);
  }

  async prepareResolve(
    caseId: string,
    reviewer: string,
    label: ReviewLabel,
    now: number,
    graceUntil: number,
  ) {
    const h = this.cases.get(caseId);
    const r = (o: PrepareOutcome) => this.result(o, h, now);
    if (!h) return r("not_found");
    if (h.status === "resolved")
      return r(h.resolved_by === reviewer && h.resolution === label ? "already" : "closed");
    if (h.status === "expired") return r("closed");
    if (h.status !== "claimed") return r("not_claimed");
    const live = Number(h.lease_expires_at) > now;
    if (h.claimed_by !== reviewer) return r(live ? "not_holder" : "not_claimed");
    if (!live) return r("lease_expired");
    if (graceUntil > Number(h.lease_expires_at)) h.lease_expires_at = String(graceUntil);
    return r("ok");
  }

  async commitResolve(caseId: string, reviewer: string, label: ReviewLabel, note: string, now: number) {
    const h = this.cases.get(caseId);
    const r = (o: CommitOutcome) => this.result(o, h, now);
    if (!h) return r("not_found");
    if (h.status === "resolved")
      return r(h.resolved_by === reviewer && h.resolution === label ? "already" : "closed");
    if (h.claimed_by !== reviewer || (h.status !== "claimed" && h.status !== "expired")) return r("lost");
    Object.assign(h, {
      status: "resolved",
      resolution: label,
      note,
      resolved_by: reviewer,
      resolved_at: String(now),
      _closed: closedMember(now, caseId),
    });
    return r("ok");
  }

  async overdue(now: number, limit: number): Promise<string[]> {
    return [...this.cases.values()]
      .filter((h) => (h.status === "open" || h.status === "claimed") && Number(h.sla_deadline) <= now)
      .sort((a, b) => Number(a.sla_deadline) - Number(b.sla_deadline))
      .slice(0, limit)
      .map((h) => h.id as string);
  }

  async expire(caseId: string, now: number, action: SlaAction): Promise<ReviewCase | null> {
    const h = this.cases.get(caseId);
    if (!h || (h.status !== "open" && h.status !== "claimed") || Number(h.sla_deadline) > now) return null;
    Object.assign(h, {
      status: "expired",
      expired_at: String(now),
      sla_action: action,
      _closed: closedMember(now, caseId),
    });
    return toCase(h, now);
  }

  async stats(now: number): Promise<QueueStats> {
    const s = { open: 0, claimed: 0, resolved: 0, expired: 0 };
    let oldest: number | null = null;
    for (const h of this.cases.values()) {
      s[toCase(h, now).status]++;
      if (h.status === "open" || h.status === "claimed") {
        const created = Number(h.created_at);
        if (oldest === null || created < oldest) oldest = created;
      }
    }
    return { ...s, oldestCreatedAt: oldest };
  }
}

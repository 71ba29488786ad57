import type { CaseRule, CaseStatus, ReviewCase, ReviewLabel, SlaAction } from "./review-case.ts";

export {
  CASE_STATUSES,
  type CaseRule,
  type CaseStatus,
  type ReviewCase,
  type ReviewLabel,
  type SlaAction,
} from "./review-case.ts";

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
  /** The features as scored, by name (a fixed set: bounded), for the reviewer to see. */
  readonly features?: Readonly<Record<string, number>>;
  /** The rules that matched (shadow ones marked). */
  readonly rules?: readonly CaseRule[];
  readonly createdAt: number;
  readonly slaDeadline: number;
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
  /**
   * Expires one overdue case with the default action; null when it was not due or already closed
   * (exactly once across replicas). `announce`: the expiry must be told downstream, so the case is
   * listed as unannounced in the same step, until `announced` confirms it.
   */
  expire(caseId: string, now: number, action: SlaAction, announce?: boolean): Promise<ReviewCase | null>;
  /**
   * Expired cases whose announcement is not confirmed yet, expired at or before `before`, oldest
   * first. The list keeps the newest CLOSED_RETAINED.
   */
  unannounced(before: number, limit: number): Promise<string[]>;
  /** The case's expiry was told downstream (or need not be any more): it leaves the unannounced list. */
  announced(caseId: string): Promise<void>;
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

export const idOf = (member: string, status: CaseStatus) =>
  member.slice(status === "open" || status === "claimed" ? ORDER_ID_AT : CLOSED_ID_AT);

export const encodeCursor = (member: string) => Buffer.from(member, "utf8").toString("base64url");
export function decodeCursor(cursor: string): string | null {
  const member = Buffer.from(cursor, "base64url").toString("utf8");
  return /^\d{14,15}:/.test(member) ? member : null;
}

export type Hash = Record<string, string>;

export function newCaseHash(c: NewCase): Hash {
  return {
    id: c.caseId,
    event_id: c.eventId,
    user_id: c.userId,
    payment_instrument_id: c.paymentInstrumentId,
    score: c.score === null ? "" : String(c.score),
    amount_eur: String(c.amountEur),
    priority: String(c.priority),
    reasons: JSON.stringify(c.reasons),
    ...(c.features ? { features: JSON.stringify(c.features) } : {}),
    rules: JSON.stringify(c.rules ?? []),
    status: "open",
    created_at: String(c.createdAt),
    sla_deadline: String(c.slaDeadline),
    _order: orderMember(c.priority, c.createdAt, c.caseId),
  };
}

export const iso = (ms: string | undefined) => (ms ? new Date(Number(ms)).toISOString() : null);

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
    features: h.features ? JSON.parse(h.features) : null,
    rules: JSON.parse(h.rules ?? "[]"),
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
//   unannounced          zset expired_at → id (expiries not yet told downstream), capped the same
// ---------------------------------------------------------------------------------------------

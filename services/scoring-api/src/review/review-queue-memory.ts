import {
  type CasePage,
  type ClaimOutcome,
  type CommitOutcome,
  closedMember,
  decodeCursor,
  encodeCursor,
  type Hash,
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
export class MemoryReviewQueue implements ReviewQueue {
  private readonly cases = new Map<string, Hash>();
  private readonly maxCases: number;
  /** Expired case id → expired_at, in expiry order; bounded like the cases. */
  private readonly notAnnounced = new Map<string, number>();

  constructor(maxCases: number) {
    this.maxCases = maxCases;
  }

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

  async expire(caseId: string, now: number, action: SlaAction, announce = false): Promise<ReviewCase | null> {
    const h = this.cases.get(caseId);
    if (!h || (h.status !== "open" && h.status !== "claimed") || Number(h.sla_deadline) > now) return null;
    Object.assign(h, {
      status: "expired",
      expired_at: String(now),
      sla_action: action,
      _closed: closedMember(now, caseId),
    });
    if (announce) {
      if (this.notAnnounced.size >= this.maxCases) {
        const oldest = this.notAnnounced.keys().next().value;
        if (oldest !== undefined) this.notAnnounced.delete(oldest);
      }
      this.notAnnounced.set(caseId, now);
    }
    return toCase(h, now);
  }

  async unannounced(before: number, limit: number): Promise<string[]> {
    return [...this.notAnnounced]
      .filter(([, at]) => at <= before)
      .sort((a, b) => a[1] - b[1])
      .slice(0, limit)
      .map(([id]) => id);
  }

  async announced(caseId: string): Promise<void> {
    this.notAnnounced.delete(caseId);
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

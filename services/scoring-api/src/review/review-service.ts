import { AppError } from "@riskgate/common/errors";
import type { Logger } from "@riskgate/common/logger";
import type { LabelSink } from "./labels.ts";
import { reviewOutcomeEvent } from "./labels.ts";
import type { ReviewMetrics } from "./review-metrics.ts";
import type { CasePage, ListQuery, ReviewCase, ReviewLabel, ReviewQueue } from "./review-queue.ts";

export interface ReviewServiceDeps {
  readonly queue: ReviewQueue;
  readonly labels: LabelSink;
  readonly metrics: ReviewMetrics;
  readonly logger: Logger;
  readonly leaseMs: number;
  /** The longest a label publish may take; the lease is extended by at least this before publishing. */
  readonly labelTimeoutMs: number;
  now(): number;
}

const notFound = (id: string) => new AppError("case_not_found", `no review case ${id}`, "id");
const closed = (c: ReviewCase | null) =>
  new AppError(
    "case_closed",
    c?.status === "expired"
      ? `the case expired at its SLA deadline with the default action '${c.sla_action}'`
      : "the case is already resolved",
    "id",
  );

/**
 * The reviewer's workflow: list, claim (a lease), resolve (the label is published before the case
 * is closed, so a resolution is never recorded without its label).
 */
export class ReviewService {
  private readonly deps: ReviewServiceDeps;

  constructor(deps: ReviewServiceDeps) {
    this.deps = deps;
  }

  list(q: ListQuery): Promise<CasePage> {
    return this.deps.queue.list(q, this.deps.now());
  }

  async get(id: string): Promise<ReviewCase> {
    const c = await this.deps.queue.get(id, this.deps.now());
    if (!c) throw notFound(id);
    return c;
  }

  async claim(id: string, reviewer: string): Promise<ReviewCase> {
    const now = this.deps.now();
    const r = await this.deps.queue.claim(id, reviewer, now, now + this.deps.leaseMs);
    switch (r.outcome) {
      case "ok":
        return r.case as ReviewCase;
      case "not_found":
        throw notFound(id);
      case "closed":
        throw closed(r.case);
      case "claimed":
        throw new AppError(
          "case_claimed",
          `another reviewer holds the lease until ${r.case?.lease_expires_at}`,
          "id",
        );
    }
  }

  async resolve(id: string, reviewer: string, label: ReviewLabel, note: string): Promise<ReviewCase> {
    const d = this.deps;
    const now = d.now();
    // Hold the lease for at least the publish timeout, so it cannot lapse while the label is in flight.
    const prepared = await d.queue.prepareResolve(id, reviewer, label, now, now + d.labelTimeoutMs + 5_000);
    switch (prepared.outcome) {
      case "ok":
        break;
      case "already":
        return prepared.case as ReviewCase;
      case "not_found":
        throw notFound(id);
      case "closed":
        throw closed(prepared.case);
      case "not_claimed":
        throw new AppError("case_not_claimed", "claim the case before resolving it", "id");
      case "lease_expired":
        throw new AppError("lease_expired", "your lease on this case expired; claim it again", "id");
      case "not_holder":
        throw new AppError("not_lease_holder", "another reviewer holds the lease on this case", "id");
    }
    const event = reviewOutcomeEvent(prepared.case as ReviewCase, label, now, reviewer);
    try {
      await d.labels.publish(event);
    } catch (err) {
      d.logger.warn({ caseId: id, err }, "review label not published; the case stays claimed");
      throw new AppError(
        "labels_unavailable",
        "the label could not be published; the case stays claimed by you, retry the resolve",
      );
    }
    const committed = await d.queue.commitResolve(id, reviewer, label, note, d.now());
    switch (committed.outcome) {
      case "ok":
        d.metrics.resolutions.inc({ label });
        d.logger.info(
          { caseId: id, eventId: event.checkout_event_id, label, reviewer, labelEventId: event.event_id },
          "review case resolved",
        );
        return committed.case as ReviewCase;
      case "already":
        return committed.case as ReviewCase;
      case "not_found":
        throw notFound(id);
      case "closed":
        throw closed(committed.case);
      case "lost":
        // Only when the publish outlived the extended lease and someone else claimed the case; the
        // label (same event id for any resolution of this case) is out and applies once.
        d.logger.warn({ caseId: id, reviewer, labelEventId: event.event_id }, "lease lost while publishing");
        throw new AppError("lease_expired", "your lease on this case expired while resolving", "id");
    }
  }
}

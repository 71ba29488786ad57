import type { Logger } from "@riskgate/common/logger";
import type { ReviewMetrics } from "./review-metrics.ts";
import type { ReviewCase, ReviewQueue, SlaAction } from "./review-queue.ts";

export interface SlaWorkerDeps {
  readonly queue: ReviewQueue;
  readonly action: SlaAction;
  readonly intervalMs: number;
  readonly metrics: ReviewMetrics;
  readonly logger: Logger;
  /** Tells downstream (the booking hold) what the default did; best effort, after the case is expired. */
  readonly announce?: (c: ReviewCase) => Promise<void>;
  onError(err: unknown): void;
  now(): number;
}

const BATCH = 100;

/**
 * Expires review cases past their SLA deadline with the configured default action. Every replica
 * runs one; the per-case expire is atomic, so a case expires (and is counted) exactly once.
 */
export class ReviewSlaWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private readonly deps: SlaWorkerDeps;

  constructor(deps: SlaWorkerDeps) {
    this.deps = deps;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.deps.intervalMs);
    this.timer.unref();
  }

  private tick(): Promise<unknown> {
    this.running ??= this.sweep()
      .catch((err) => this.deps.onError(err))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** One pass: expires every case that is due now; returns those this replica expired. */
  async sweep(): Promise<ReviewCase[]> {
    const d = this.deps;
    const expired: ReviewCase[] = [];
    for (;;) {
      const now = d.now();
      const due = await d.queue.overdue(now, BATCH);
      const done = await Promise.all(due.map((id) => d.queue.expire(id, now, d.action)));
      for (const c of done) {
        if (!c) continue;
        expired.push(c);
        d.metrics.overdue.inc({ action: d.action });
        d.logger.warn(
          { caseId: c.id, eventId: c.event_id, action: d.action, slaDeadline: c.sla_deadline },
          "review case passed its SLA unresolved; default action applied",
        );
        if (d.announce) d.announce(c).catch((err) => d.onError(err));
      }
      // A full batch may hide more; a batch where nothing expired (a replica raced us) ends the pass.
      if (due.length < BATCH || done.every((c) => c === null)) return expired;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}

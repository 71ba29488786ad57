import type { Logger } from "@riskgate/common/logger";
import type { ReviewMetrics } from "./review-metrics.ts";
import type { ReviewCase, ReviewQueue, SlaAction } from "./review-queue.ts";

export interface SlaWorkerDeps {
  readonly queue: ReviewQueue;
  readonly action: SlaAction;
  readonly intervalMs: number;
  readonly metrics: ReviewMetrics;
  readonly logger: Logger;
  /**
   * Tells downstream (the booking hold) what the default did, after the case is expired. At least
   * once: an expiry whose announcement failed is sent again by a later sweep, so downstream may see
   * one twice (the review case id tells them apart).
   */
  readonly announce?: Announce;
  onError(err: unknown): void;
  now(): number;
}

const BATCH = 100;

export interface Announce {
  send(c: ReviewCase): Promise<void>;
  /**
   * How long after its expiry an unconfirmed announcement is sent again: longer than one attempt
   * takes, so a sweep does not repeat a send still under way.
   */
  readonly retryAfterMs: number;
}

/**
 * Expires review cases past their SLA deadline with the configured default action. Every replica
 * runs one; the per-case expire is atomic, so a case expires (and is counted) exactly once. Its
 * announcement is at least once: the queue lists it as unannounced until a send is confirmed.
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
    const announce = d.announce;
    const expired: ReviewCase[] = [];
    for (;;) {
      const now = d.now();
      const due = await d.queue.overdue(now, BATCH);
      const done = await Promise.all(
        due.map((id) => d.queue.expire(id, now, d.action, announce !== undefined)),
      );
      for (const c of done) {
        if (!c) continue;
        expired.push(c);
        d.metrics.overdue.inc({ action: d.action });
        d.logger.warn(
          { caseId: c.id, eventId: c.event_id, action: d.action, slaDeadline: c.sla_deadline },
          "review case passed its SLA unresolved; default action applied",
        );
        if (announce) void this.announce(announce, c);
      }
      // A full batch may hide more; a batch where nothing expired (a replica raced us) ends the pass.
      if (due.length < BATCH || done.every((c) => c === null)) break;
    }
    if (announce) await this.announceAgain(announce, d.now());
    return expired;
  }

  /** Sends one expiry downstream; confirmed, it leaves the queue's unannounced list. */
  private async announce(announce: Announce, c: ReviewCase): Promise<void> {
    try {
      await announce.send(c);
      await this.deps.queue.announced(c.id);
    } catch (err) {
      this.deps.onError(err);
    }
  }

  /**
   * The expiries whose announcement failed (Kafka away, a stuck partition) or whose replica stopped
   * before sending, one batch per sweep, awaited so the next sweep cannot send them a second time.
   */
  private async announceAgain(announce: Announce, now: number): Promise<void> {
    const d = this.deps;
    const ids = await d.queue.unannounced(now - announce.retryAfterMs, BATCH);
    await Promise.all(
      ids.map(async (id) => {
        const c = await d.queue.get(id, now);
        // Gone (its record outlived its retention) or not expired: nothing left to tell.
        if (c?.status !== "expired") await d.queue.announced(id);
        else await this.announce(announce, c);
      }),
    );
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}

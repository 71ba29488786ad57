import { METRIC_PREFIX } from "@riskgate/common/metrics";
import { Counter, Gauge, type Registry } from "prom-client";
import { withTimeout } from "../with-timeout.ts";
import type { QueueStats } from "./review-queue.ts";

export interface ReviewSnapshot {
  readonly queue: QueueStats;
  readonly budgetUsed: number;
  readonly budgetCapacity: number;
}

export interface ReviewMetricsOptions {
  /** Read on scrape (one Redis round trip for the queue, one for the budget). */
  snapshot(): Promise<ReviewSnapshot>;
  /** A scrape never waits longer than this; on timeout or error the last values stay. */
  readonly timeoutMs: number;
  now(): number;
  onError(err: unknown): void;
}

/** Review queue metrics; the gauges are read from the queue on scrape. Labels are bounded (status, action, label). */
export function createReviewMetrics(registry: Registry, opts: ReviewMetricsOptions) {
  const r = [registry];
  // The gauges of one scrape share one read: registry.metrics() collects them concurrently.
  let inFlight: Promise<ReviewSnapshot | null> | undefined;
  const read = () => {
    inFlight ??= withTimeout(opts.snapshot(), opts.timeoutMs, "review metrics")
      .catch((err) => {
        opts.onError(err);
        return null;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  return {
    depth: new Gauge({
      name: `${METRIC_PREFIX}review_queue_depth`,
      help: "Review cases by status: open (claimable), claimed (live lease), resolved and expired (retained history)",
      labelNames: ["status"] as const,
      registers: r,
      async collect() {
        const s = await read();
        if (!s) return;
        for (const status of ["open", "claimed", "resolved", "expired"] as const) {
          this.set({ status }, s.queue[status]);
        }
      },
    }),
    oldestOpenAge: new Gauge({
      name: `${METRIC_PREFIX}review_oldest_open_age_seconds`,
      help: "Age of the oldest unresolved (open or claimed) review case; 0 when the queue is empty",
      registers: r,
      async collect() {
        const s = await read();
        if (!s) return;
        const oldest = s.queue.oldestCreatedAt;
        this.set(oldest === null ? 0 : Math.max(0, (opts.now() - oldest) / 1000));
      },
    }),
    budgetUsed: new Gauge({
      name: `${METRIC_PREFIX}review_budget_used`,
      help: "Reviews taken from today's (UTC) review budget, across replicas",
      registers: r,
      async collect() {
        const s = await read();
        if (s) this.set(s.budgetUsed);
      },
    }),
    budgetCapacity: new Gauge({
      name: `${METRIC_PREFIX}review_budget_capacity`,
      help: "Daily review budget (REVIEW_CAPACITY_PER_DAY or the model's assumption)",
      registers: r,
      async collect() {
        const s = await read();
        if (s) this.set(s.budgetCapacity);
      },
    }),
    overdue: new Counter({
      name: `${METRIC_PREFIX}review_overdue_total`,
      help: "Review cases that passed their SLA deadline unresolved and got the default action (counted once across replicas)",
      labelNames: ["action"] as const,
      registers: r,
    }),
    resolutions: new Counter({
      name: `${METRIC_PREFIX}review_resolutions_total`,
      help: "Review cases resolved by a reviewer, by label",
      labelNames: ["label"] as const,
      registers: r,
    }),
  };
}

export type ReviewMetrics = ReturnType<typeof createReviewMetrics>;

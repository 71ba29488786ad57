import type { Logger } from "@riskgate/common/logger";
import type { Closer } from "@riskgate/common/shutdown";
import type { OnlineStore } from "@riskgate/feature-store/online";
import type { Producer } from "kafkajs";
import type { Registry } from "prom-client";
import { withTimeout } from "../with-timeout.ts";
import { KafkaLabelSink, StoreLabelSink } from "./labels.ts";
import type { ReviewBudget } from "./review-budget.ts";
import { createReviewMetrics, type ReviewSnapshot } from "./review-metrics.ts";
import type { ReviewQueue, SlaAction } from "./review-queue.ts";
import { ReviewService } from "./review-service.ts";
import { ReviewSlaWorker } from "./sla-worker.ts";

export interface ReviewWiring {
  readonly queue: ReviewQueue;
  readonly budget: ReviewBudget;
  readonly store: OnlineStore;
  readonly registry: Registry;
  readonly logger: Logger;
  /** The review's own producer (not the decision log's: a resolve must not wait behind its batches). */
  readonly producer?: Producer | undefined;
  readonly topics: { readonly labels: string; readonly decisions: string };
  readonly leaseSeconds: number;
  readonly slaSweepMs: number;
  readonly slaDefaultAction: SlaAction;
  now(): number;
  onError(dependency: string, err: unknown): void;
}

const LABEL_TIMEOUT_MS = 5_000;
const METRICS_TIMEOUT_MS = 100;

/**
 * The review side of the API: the service behind /v1/review, its metrics, and the SLA worker
 * (started here, stopped by the returned closer).
 */
export function composeReview(w: ReviewWiring): {
  service: ReviewService;
  worker: ReviewSlaWorker;
  /** Queue depth and today's budget (one read each), as the metrics and the console show them. */
  snapshot(): Promise<ReviewSnapshot>;
  closer: Closer;
} {
  const snapshot = async (): Promise<ReviewSnapshot> => {
    const now = w.now();
    const [queue, budgetUsed] = await Promise.all([w.queue.stats(now), w.budget.used(new Date(now))]);
    return { queue, budgetUsed, budgetCapacity: w.budget.capacity };
  };
  const metrics = createReviewMetrics(w.registry, {
    snapshot,
    timeoutMs: METRICS_TIMEOUT_MS,
    now: w.now,
    onError: (err) => w.onError("review_metrics", err),
  });
  const producer = w.producer;
  const labels = producer
    ? new KafkaLabelSink(producer, w.topics.labels, LABEL_TIMEOUT_MS)
    : new StoreLabelSink(w.store);
  const service = new ReviewService({
    queue: w.queue,
    labels,
    metrics,
    logger: w.logger,
    leaseMs: w.leaseSeconds * 1000,
    labelTimeoutMs: LABEL_TIMEOUT_MS,
    now: w.now,
  });
  const worker = new ReviewSlaWorker({
    queue: w.queue,
    action: w.slaDefaultAction,
    intervalMs: w.slaSweepMs,
    metrics,
    logger: w.logger,
    now: w.now,
    onError: (err) => w.onError("review_sla", err),
    // The booking was held for review: tell whoever holds it that the default released or cancelled it.
    ...(producer
      ? {
          announce: {
            retryAfterMs: 2 * LABEL_TIMEOUT_MS,
            send: async (c) => {
              const record = {
                kind: "review_expired",
                event_id: c.event_id,
                review_case_id: c.id,
                decision: c.sla_action,
                sla_deadline: c.sla_deadline,
                expired_at: c.expired_at,
              };
              await withTimeout(
                producer.send({
                  topic: w.topics.decisions,
                  acks: -1,
                  messages: [{ key: c.event_id, value: JSON.stringify(record) }],
                }),
                LABEL_TIMEOUT_MS,
                "review expiry publish",
              );
            },
          },
        }
      : {}),
  });
  worker.start();
  return { service, worker, snapshot, closer: { name: "review SLA worker", close: () => worker.close() } };
}

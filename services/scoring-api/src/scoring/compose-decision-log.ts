import type { Logger } from "@riskgate/common/logger";
import { topicNames } from "@riskgate/feature-store/events";
import type { Producer } from "kafkajs";
import type { ApiMetrics } from "../metrics.ts";
import { type DecisionLog, DiscardingDecisionLog, KafkaDecisionLog } from "./decision-log.ts";

/** The training log: batched to the decisions topic with a producer, discarded and counted without. */
export function composeDecisionLog(deps: {
  readonly producer: Producer | undefined;
  readonly kafkaConnected: (() => boolean) | undefined;
  readonly topicPrefix: string;
  readonly maxBuffered: number;
  readonly metrics: ApiMetrics;
  readonly logger: Logger;
}): DecisionLog {
  const { metrics } = deps;
  if (!deps.producer)
    return new DiscardingDecisionLog(() => metrics.decisionsDropped.inc({ reason: "no_kafka" }));
  return new KafkaDecisionLog(deps.producer, {
    topic: topicNames(deps.topicPrefix).decisions,
    maxBuffered: deps.maxBuffered,
    // Each send has a fixed cost (request framing, a produce round trip, its reply) and zstd
    // shrinks a batch the more records it holds: at 1,000 checkouts/s a send every 200 ms carries
    // ~200. Against 50 records per 50 ms, uncompressed: 20-25 % less CPU per decision
    // (bench/decision-log-bench.ts), and the training log is read in bulk, not within 200 ms.
    flushIntervalMs: 200,
    // kafkajs groups a send's messages by partition with a copy per message (quadratic in the
    // batch), so a backlog is sent in batches of at most this many, back to back.
    maxBatch: 1_000,
    compression: "zstd",
    ...(deps.kafkaConnected ? { connected: deps.kafkaConnected } : {}),
    onDropped: (n) => metrics.decisionsDropped.inc({ reason: "buffer_full" }, n),
    onError: (err) => {
      metrics.dependencyErrors.inc({ dependency: "kafka" });
      deps.logger.warn({ err }, "could not publish decisions; they stay buffered");
    },
  });
}

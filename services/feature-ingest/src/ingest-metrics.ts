import { METRIC_PREFIX } from "@riskgate/common/metrics";
import { INPUT_TOPICS } from "@riskgate/feature-store/events";
import { Counter, Gauge, type Registry } from "prom-client";

export interface IngestMetrics {
  readonly applied: Counter<"event_type" | "outcome">;
  readonly deadLettered: Counter<"reason">;
  readonly consumerLag: Gauge<"topic" | "partition">;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const applied = new Counter({
    name: `${METRIC_PREFIX}ingest_events_total`,
    help: "Events consumed, by type and outcome (applied, duplicate, too_late)",
    labelNames: ["event_type", "outcome"],
    registers: [registry],
  });
  // Every event type's applied count exists from start-up, at 0: an alert on a type that stopped
  // arriving (RiskgateLabelFeedSilent) needs the series from a restarted consumer that has seen none.
  for (const type of Object.values(INPUT_TOPICS).flat())
    applied.inc({ event_type: type, outcome: "applied" }, 0);
  return {
    applied,
    deadLettered: new Counter({
      name: `${METRIC_PREFIX}ingest_dead_lettered_total`,
      help: "Messages sent to the dead-letter topic, by reason code",
      labelNames: ["reason"],
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: `${METRIC_PREFIX}ingest_consumer_lag`,
      help: "Messages between the last processed offset and the partition's high watermark",
      labelNames: ["topic", "partition"],
      registers: [registry],
    }),
  };
}

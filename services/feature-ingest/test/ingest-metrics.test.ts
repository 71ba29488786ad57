import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createIngestMetrics } from "../src/ingest-metrics.ts";

describe("ingest metrics", () => {
  it("exports every event type's applied count from start-up, at 0 (a silent feed has a series to alert on)", async () => {
    const registry = new Registry();
    const metrics = createIngestMetrics(registry);
    const text = await registry.metrics();
    for (const type of ["chargeback", "review_outcome", "payment_attempt", "login", "checkout"]) {
      expect(text).toContain(`riskgate_ingest_events_total{event_type="${type}",outcome="applied"} 0`);
    }
    metrics.applied.inc({ event_type: "chargeback", outcome: "applied" });
    expect(await registry.metrics()).toContain(
      'riskgate_ingest_events_total{event_type="chargeback",outcome="applied"} 1',
    );
  });
});

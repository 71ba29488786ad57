import { describe, expect, it } from "vitest";
import { sumMetric } from "../src/prometheus.ts";

const TEXT = `# HELP riskgate_decisions_dropped_total Decision records not published
# TYPE riskgate_decisions_dropped_total counter
riskgate_decisions_dropped_total{reason="buffer_full"} 3
riskgate_decisions_dropped_total{reason="kafka_away"} 4
riskgate_decisions_dropped_total_extra 100
riskgate_process_resident_memory_bytes 123456789
`;

describe("sumMetric", () => {
  it("sums every sample of exactly that name, optionally filtered by labels", () => {
    expect(sumMetric(TEXT, "riskgate_decisions_dropped_total")).toBe(7);
    expect(sumMetric(TEXT, "riskgate_decisions_dropped_total", { reason: "kafka_away" })).toBe(4);
    expect(sumMetric(TEXT, "riskgate_process_resident_memory_bytes")).toBe(123456789);
  });

  it("is NaN for a metric the text does not have, so a check on it cannot pass by accident", () => {
    expect(sumMetric(TEXT, "riskgate_ingest_events_total")).toBeNaN();
  });
});

// Public entry point of the replay's Kafka side, for the load-test bench: the one Kafka sink and
// the one freshness probe (the bench measures what `npm run replay` measures, the same way).
export { FreshnessProbe, type ProbeHistograms, type ProbeOptions, probeCheckout } from "./freshness.ts";
export { LatencyHistogram } from "./histogram.ts";
export { type SinkMessage, sendUntilAcked } from "./kafka-sink.ts";

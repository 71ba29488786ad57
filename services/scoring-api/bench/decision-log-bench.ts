// Process CPU per published decision: KafkaDecisionLog on the shared Kafka at a constant arrival
// rate (a tick every 10 ms), records shaped like the API's (every feature, missing names, rules,
// timings; distinct ids and values), from publish to the broker's ack. The idle 10 ms tick alone costs
// ~15 us per record at 1,000/s here: compare variants, not absolutes. Compare settings in the same
// run, interleaved; the records are built before the clock starts. Not a test.
// usage: KAFKA_BROKERS=… node services/scoring-api/bench/decision-log-bench.ts [--rate 1000]
//   [--seconds 10] [--compression none|zstd] [--flush-ms 100] [--max-batch 500] [--rounds 3]

import { idempotentProducer } from "@riskgate/common/kafka-idempotent-producer";
import { guardKafkajsIdleTimers } from "@riskgate/common/kafkajs-idle-timer";
import { cliArgs } from "@riskgate/feature-store/cli-args";
import { FEATURES, FeatureSet } from "@riskgate/feature-store/definitions";
import { createKafka, createTopics, deleteTopics, uniqueTopic } from "@riskgate/test-support/services";
import type { Producer } from "kafkajs";
import { type DecisionRecord, KafkaDecisionLog } from "../src/scoring/decision-log.ts";

const { values } = cliArgs(import.meta.url, {
  options: {
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "10" },
    compression: { type: "string", default: "zstd" },
    "flush-ms": { type: "string", default: "100" },
    "max-batch": { type: "string", default: "500" },
    rounds: { type: "string", default: "3" },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const TICK_MS = 10;

const featureSet = new FeatureSet(FEATURES);

function record(i: number): DecisionRecord {
  const missing: string[] = [];
  const values = FEATURES.map((f, k) => {
    const v = (i * 31 + k * 17) % 11 === 0 ? f.default : ((i + k) % 7) * (k % 3 === 0 ? 1 : 13.37);
    if (v === f.default && k % 2 === 0) missing.push(f.name);
    return v;
  });
  // As the pipeline builds it (the object's layout decides what serialising it costs).
  const features = featureSet.toRecord({ values, missing, stale: [] });
  const at = Date.UTC(2026, 10, 30, 10) + i * 997;
  return {
    kind: "decision",
    event_id: `evt_${i.toString(36)}_${(i * 7919).toString(36)}`,
    occurred_at: new Date(at).toISOString(),
    scored_at: new Date(at + 4).toISOString(),
    decision: i % 50 === 0 ? "review" : "allow",
    score: ((i * 7) % 1000) / 100_000 + 1e-5,
    raw_score: ((i * 13) % 1000) / 97_000,
    mode: "normal",
    model: { name: "riskgate-fraud", version: "20261202-0e76ac54" },
    model_role: "champion",
    feature_set: "19f34563db010cdb",
    rules_version: "2026-11-29.1",
    features,
    missing,
    stale: [],
    rules: i % 20 === 0 ? [{ id: "new_device_high_amount", action: "review", shadow: false }] : [],
    reasons: [],
    timings_ms: { features: 0.9 + (i % 9) / 10, rules: 0.12, model: 0.07, policy: 0.01, total: 1.3 },
    review_case_id: null,
    exploration: false,
    propensity: 1,
  };
}

async function round(producer: Producer, topic: string): Promise<Record<string, number>> {
  const total = rate * seconds;
  const records = Array.from({ length: total }, (_, i) => record(i));
  let dropped = 0;
  let errors = 0;
  const log = new KafkaDecisionLog(producer, {
    topic,
    maxBuffered: 10_000,
    flushIntervalMs: Number(values["flush-ms"]),
    maxBatch: Number(values["max-batch"]),
    ...(values.compression === "zstd" ? { compression: "zstd" as const } : {}),
    onDropped: (n) => {
      dropped += n;
    },
    onError: () => {
      errors++;
    },
  });
  const perTick = (rate * TICK_MS) / 1000;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  let mostBuffered = 0;
  while (next < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / TICK_MS + 1) * perTick));
    while (next < due) log.publish(records[next++] as DecisionRecord);
    mostBuffered = Math.max(mostBuffered, log.buffered);
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  await log.close();
  const cpu = process.cpuUsage(cpu0);
  return {
    cpu_us_per_record: Math.round(((cpu.user + cpu.system) / total) * 10) / 10,
    // Loopback TCP runs the receiving side's kernel work in the sender's system time too.
    system_us_per_record: Math.round((cpu.system / total) * 10) / 10,
    most_buffered: mostBuffered,
    dropped,
    errors,
  };
}

guardKafkajsIdleTimers(); // as main.ts does: an idle kafkajs connection would add its 1 ms timer
const kafka = createKafka("decision-log-bench");
const topic = uniqueTopic("decision-log-bench");
await createTopics(kafka, [topic]);
const producer = idempotentProducer(kafka, { allowAutoTopicCreation: false }); // as run.ts's
await producer.connect();
try {
  await round(producer, topic); // JIT, connections, metadata
  const results = [];
  for (let r = 0; r < Number(values.rounds); r++) results.push(await round(producer, topic));
  process.stdout.write(`${JSON.stringify({ ...values, results })}\n`);
} finally {
  await producer.disconnect();
  await deleteTopics(kafka, [topic]);
}

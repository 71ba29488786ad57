// Ingest throughput with one consumer on the real Kafka and Redis: produce N events, then time one
// FeatureIngest instance from start until every event is applied.
// usage: REDIS_URL=… KAFKA_BROKERS=… npm run bench:ingest -- [--events 200000]

import { guardKafkajsIdleTimers } from "@riskgate/common/kafkajs-idle-timer";
import { cliArgs } from "@riskgate/feature-store/cli-args";
import type { DomainEvent } from "@riskgate/feature-store/events";
import { pseudonymiserFor, topicForEventType, topicNames } from "@riskgate/feature-store/events";
import { RedisStore } from "@riskgate/feature-store/online";
import { Redis } from "ioredis";
import { Kafka, logLevel } from "kafkajs";
import { pino } from "pino";
import { Registry } from "prom-client";
import { FeatureIngest } from "../src/consumer.ts";
import { createIngestMetrics } from "../src/ingest-metrics.ts";

const { values } = cliArgs(import.meta.url, { options: { events: { type: "string", default: "200000" } } });
const total = Number(values.events);
const redisUrl = process.env.REDIS_URL;
const brokers = process.env.KAFKA_BROKERS?.split(",");
if (!redisUrl || !brokers)
  throw new Error("REDIS_URL and KAFKA_BROKERS are required (infra/dev/services.sh up)");

const run = `bench-${Date.now().toString(36)}`;
const topics = topicNames(`${run}.`);
// As main.ts does, before any client connects: the consumer measured here and the bench's producer
// would otherwise each run a 1 ms timer per broker connection (kafkajs-idle-timer.ts).
guardKafkajsIdleTimers();
const kafka = new Kafka({ clientId: "ingest-bench", brokers, logLevel: logLevel.ERROR });
const iso = (ms: number) => new Date(ms).toISOString();
const t0 = Date.now() - 86_400_000;

function event(i: number): DomainEvent {
  const at = t0 + i * 10;
  if (i % 3 === 0) {
    return {
      type: "login",
      event_id: `${run}-${i}`,
      occurred_at: iso(at),
      user_id: `u${i % 20_000}`,
      device_id: `d${i % 15_000}`,
      ip: `10.2.${(i >> 8) & 255}.${i & 255}`,
    };
  }
  return {
    type: "payment_attempt",
    event_id: `${run}-${i}`,
    occurred_at: iso(at),
    user_id: `u${i % 20_000}`,
    payment_instrument_id: `pi${i % 25_000}`,
    device_id: `d${i % 15_000}`,
    amount: 10 + (i % 500),
    currency: "EUR",
    status: i % 7 === 0 ? "failed" : "succeeded",
  };
}

const admin = kafka.admin();
await admin.connect();
const names = [...Object.values(topics.input), topics.deadLetter];
// kafkajs's waitForLeaders does not retry the UNKNOWN_TOPIC_OR_PARTITION a fresh KRaft topic answers.
await admin.createTopics({ topics: names.map((topic) => ({ topic, numPartitions: 3 })) });
for (let ready = false; !ready; await new Promise((r) => setTimeout(r, 100))) {
  const meta = await admin.fetchTopicMetadata({ topics: names }).catch(() => null);
  ready =
    meta?.topics.every((t) => t.partitions.length === 3 && t.partitions.every((p) => p.leader >= 0)) ?? false;
}
await admin.disconnect();

process.stderr.write(`producing ${total} events...\n`);
const producer = kafka.producer();
await producer.connect();
for (let i = 0; i < total; i += 5_000) {
  const batch = Array.from({ length: Math.min(5_000, total - i) }, (_, k) => event(i + k));
  const byTopic = new Map<string, { key: string; value: string }[]>();
  for (const e of batch) {
    const topic = topics.input[topicForEventType(e.type)];
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key: e.event_id, value: JSON.stringify(e) }]);
  }
  await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
}
await producer.disconnect();

const redis = new Redis(redisUrl);
const metrics = createIngestMetrics(new Registry());
const ingest = new FeatureIngest({
  kafka,
  store: new RedisStore(redis, { keyPrefix: `${run}:` }),
  topics,
  groupId: `${run}-group`,
  commitIntervalMs: 1_000,
  partitionsConcurrently: 16,
  logger: pino({ level: "warn" }),
  metrics,
  admission: { pseudonymiser: pseudonymiserFor({}).pseudonymiser, maxClockSkewMs: 5 * 60_000, now: Date.now },
});
const started = performance.now();
await ingest.start();
const consumed = async () => (await metrics.applied.get()).values.reduce((s, v) => s + v.value, 0);
while ((await consumed()) < total) await new Promise((r) => setTimeout(r, 50));
const seconds = (performance.now() - started) / 1000;
await ingest.stop();

const keys = await redis.keys(`${run}:*`);
for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
await redis.quit();
process.stdout.write(
  `${JSON.stringify({ events: total, partitions: 3, consumers: 1, seconds: Number(seconds.toFixed(2)), events_per_second: Math.round(total / seconds) }, null, 2)}\n`,
);

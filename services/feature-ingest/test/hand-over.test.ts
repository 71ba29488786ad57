// A clean stop hands the consumer group over at once: feature-ingest's real main.ts, stopped with one
// SIGTERM while events flow, leaves its group, so the next process with the same group consumes
// within seconds, not after the old member's session timeout (kafkajs's default, 30 s: main.ts sets
// none); and across the hand-over no event is applied twice or lost.
import { topicNames } from "@riskgate/feature-store/events";
import { payment, T0 } from "@riskgate/test-support/events";
import { ServiceProcess } from "@riskgate/test-support/service-process";
import {
  createKafka,
  deleteTopics,
  kafkaBrokers,
  redisUrl,
  uniqueGroup,
  uniquePrefix,
  uniqueTopic,
  waitFor,
  withAdmin,
} from "@riskgate/test-support/services";
import type { Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const EVENTS = 300;
const SESSION_TIMEOUT_MS = 30_000;

const kafka = createKafka("ingest-hand-over");
const prefix = `${uniqueTopic("hand-over")}.`;
const topics = topicNames(prefix);
const env = {
  REDIS_URL: redisUrl(),
  REDIS_KEY_PREFIX: uniquePrefix("hand-over"),
  KAFKA_BROKERS: kafkaBrokers().join(","),
  KAFKA_TOPIC_PREFIX: prefix,
  KAFKA_TOPIC_PARTITIONS: "2",
  INGEST_GROUP_ID: uniqueGroup("hand-over"),
  INGEST_METRICS_PORT: "0",
};
const services: ServiceProcess[] = [];
let producer: Producer;

beforeAll(async () => {
  // Idempotent: a send kafkajs retries (a partition refused for a moment, a request timed out) lands
  // each message once, so the topic holds one message per event and committed offsets count events.
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
});
afterAll(async () => {
  for (const s of services) await s.stop();
  await producer?.disconnect();
  await deleteTopics(kafka, [...Object.values(topics.input), topics.deadLetter]);
});

function startIngest(): ServiceProcess {
  const service = new ServiceProcess("services/feature-ingest/src/main.ts", env);
  services.push(service);
  return service;
}

async function metricsUrl(service: ServiceProcess): Promise<string> {
  const { port } = await service.waitForLog("metrics listening");
  return `http://127.0.0.1:${port}`;
}

async function ready(service: ServiceProcess): Promise<void> {
  const url = `${await metricsUrl(service)}/readyz`;
  await waitFor(async () => (await fetch(url)).status === 200, {
    timeoutMs: SESSION_TIMEOUT_MS + 15_000,
    what: "/readyz 200",
  });
}

/** Events this process consumed, by outcome (applied, duplicate). */
async function outcomes(service: ServiceProcess): Promise<Record<string, number>> {
  const text = await (await fetch(`${await metricsUrl(service)}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^riskgate_ingest_events_total\{[^}]*outcome="(\w+)"[^}]*\} (\d+)/gm)) {
    counts[m[1] as string] = (counts[m[1] as string] ?? 0) + Number(m[2]);
  }
  return counts;
}

const total = (c: Record<string, number>) => Object.values(c).reduce((s, n) => s + n, 0);

/** Events i in [from, to), each on entities of its own, so the store's dedup judges each by itself. */
async function produce(from: number, to: number): Promise<void> {
  const messages = [];
  for (let i = from; i < to; i++) {
    const e = payment(`ho-${i}`, T0 + i * 1_000, {
      user_id: `u_ho_${i}`,
      payment_instrument_id: `pi_ho_${i}`,
      device_id: `d_ho_${i}`,
    });
    messages.push({ key: e.event_id, value: JSON.stringify(e) });
  }
  await producer.send({ topic: topics.input.payments, messages });
}

describe("feature-ingest stopped with SIGTERM", () => {
  it(
    "leaves its consumer group, so the next one with the group is ready well within the session timeout, and none is applied twice or lost",
    async () => {
      const first = startIngest();
      await ready(first);
      await produce(0, EVENTS / 2);
      // At least, then exactly: a count past the target (an event delivered twice) fails at once, naming it.
      await waitFor(async () => total(await outcomes(first)) >= EVENTS / 2, {
        timeoutMs: 20_000,
        what: "the first half consumed",
      });
      expect(await outcomes(first)).toEqual({ applied: EVENTS / 2 });
      // The second half is in flight (fetched, written, committed or not) when the signal comes.
      await produce(EVENTS / 2, EVENTS);
      expect(await first.stop()).toBe(0);
      expect(first.logged("closed").map((l) => l.resource)).toContain("kafka consumer");

      const group = await withAdmin(kafka, async (admin) => {
        const { groups } = await admin.describeGroups([env.INGEST_GROUP_ID]);
        const offsets = await admin.fetchOffsets({
          groupId: env.INGEST_GROUP_ID,
          topics: [topics.input.payments],
        });
        const committed = (offsets[0]?.partitions ?? []).reduce(
          (s, p) => s + Math.max(0, Number(p.offset)),
          0,
        );
        return { members: groups[0]?.members.length, committed };
      });
      // LeaveGroup reached the broker: no member is left for a session timeout to expire.
      expect(group.members).toBe(0);

      const second = startIngest();
      // Timed from when it is up (metrics listening, Kafka next): a Node.js start at nice 19 on a
      // loaded 2-core box took 4-8 s of its own, the join after it under a second.
      await second.waitForLog("metrics listening");
      const upAt = performance.now();
      await ready(second);
      expect(performance.now() - upAt, "ready well within the 30 s session timeout").toBeLessThan(10_000);

      // The second starts at the first's committed offsets: what the first applied, it committed.
      const rest = EVENTS - group.committed;
      await waitFor(async () => total(await outcomes(second)) >= rest, {
        timeoutMs: 20_000,
        what: `the ${rest} events past the committed offsets consumed`,
      });
      // (the applied count exists from start-up at 0, so nothing left to apply reads { applied: 0 })
      expect(await outcomes(second)).toEqual({ applied: rest });

      // Every event is in the store: sent again, each one is a duplicate, none is applied afresh.
      await produce(0, EVENTS);
      await waitFor(async () => total(await outcomes(second)) >= rest + EVENTS, {
        timeoutMs: 20_000,
        what: "the events sent again consumed",
      });
      expect(await outcomes(second)).toEqual({ duplicate: EVENTS, applied: rest });
    },
    SESSION_TIMEOUT_MS + 60_000,
  );
});

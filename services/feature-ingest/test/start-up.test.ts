// feature-ingest's real main.ts against a broker with none of its topics, and against a broker that
// is not there yet: it creates what is missing, leaves what exists, waits, and never exits.
import { topicNames } from "@riskgate/feature-store/events";
import { payment, T0 } from "@riskgate/test-support/events";
import { ServiceProcess, TcpGate } from "@riskgate/test-support/service-process";
import {
  createKafka,
  createTopics,
  deleteTopics,
  kafkaBrokers,
  redisUrl,
  uniqueGroup,
  uniquePrefix,
  uniqueTopic,
  waitFor,
  withAdmin,
} from "@riskgate/test-support/services";
import { afterEach, describe, expect, it } from "vitest";

const kafka = createKafka("ingest-start-up");
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function startIngest(name: string, brokers: string, extra: Record<string, string> = {}) {
  const prefix = `${uniqueTopic(name)}.`;
  const service = new ServiceProcess("services/feature-ingest/src/main.ts", {
    REDIS_URL: redisUrl(),
    REDIS_KEY_PREFIX: uniquePrefix(name),
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: prefix,
    INGEST_GROUP_ID: uniqueGroup(name),
    INGEST_METRICS_PORT: "0",
    ...extra,
  });
  const topics = topicNames(prefix);
  const all = [...Object.values(topics.input), topics.deadLetter];
  cleanup.push(() => deleteTopics(kafka, all));
  cleanup.push(() => service.stop());
  return { service, topics, all };
}

/** The ingest's /readyz status: 200 once it consumes. */
async function readiness(service: ServiceProcess): Promise<number> {
  const { port } = await service.waitForLog("metrics listening");
  return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
}

async function consumed(service: ServiceProcess): Promise<number> {
  const { port } = await service.waitForLog("metrics listening");
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return [...text.matchAll(/^riskgate_ingest_events_total\{[^}]*\} (\d+)/gm)].reduce(
    (s, m) => s + Number(m[1]),
    0,
  );
}

describe("feature-ingest start-up", () => {
  it("creates its missing topics with the configured partitions, leaves an existing one alone, and consumes", async () => {
    const { service, topics, all } = startIngest("fresh", kafkaBrokers().join(","), {
      KAFKA_TOPIC_PARTITIONS: "2",
    });
    // One topic already exists with another partition count: an operator's choice to keep.
    await createTopics(kafka, [{ topic: topics.input.listings, numPartitions: 1 }]);
    await service.waitForLog("consuming");
    const partitions = await withAdmin(kafka, async (admin) => {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: all });
      return Object.fromEntries(meta.map((t) => [t.name, t.partitions.length]));
    });
    expect(partitions).toEqual(Object.fromEntries(all.map((t) => [t, t === topics.input.listings ? 1 : 2])));

    const producer = kafka.producer();
    await producer.connect();
    cleanup.push(() => producer.disconnect());
    const e = payment("start-up-1", T0, { status: "failed" });
    await producer.send({
      topic: topics.input.payments,
      messages: [{ key: e.event_id, value: JSON.stringify(e) }],
    });
    await waitFor(async () => (await consumed(service)) === 1, {
      timeoutMs: 20_000,
      what: "the event consumed",
    });
    expect(service.running).toBe(true);
  });

  it("waits for a broker that is not there yet with a clear log line, then starts; never exits", async () => {
    const gate = await TcpGate.reserve(kafkaBrokers()[0] as string);
    cleanup.push(() => gate.close());
    const { service } = startIngest("late-broker", gate.address);
    const waiting = await service.waitForLog(/^waiting for Kafka/);
    expect(waiting.msg).toContain(gate.address);
    await waitFor(() => service.logged(/^waiting for Kafka/).length >= 2, {
      timeoutMs: 10_000,
      what: "a retry",
    });
    expect(service.running).toBe(true);
    expect(service.logged("consuming")).toEqual([]);
    expect(await readiness(service)).toBe(503);

    await gate.open();
    await service.waitForLog("consuming", 30_000);
    expect(service.running).toBe(true);
    await waitFor(async () => (await readiness(service)) === 200, { timeoutMs: 10_000, what: "/readyz 200" });
  });
});

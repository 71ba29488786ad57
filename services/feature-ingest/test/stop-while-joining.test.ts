// feature-ingest's real main.ts, stopped with one SIGTERM while it is still joining its consumer group
// (before /readyz turns 200). kafkajs sends LeaveGroup only from a consumer that finished joining: the
// stop used to leave the member in the group until its session timed out (kafkajs's 30 s; main.ts sets
// none), and the next ingest with the group waited that long for its partitions. A GroupHolder of the
// test's own keeps the ingest inside its join for as long as the test needs.
import { topicNames } from "@riskgate/feature-store/events";
import { payment, T0 } from "@riskgate/test-support/events";
import { describeGroup, GroupHolder } from "@riskgate/test-support/group-holder";
import { ServiceProcess } from "@riskgate/test-support/service-process";
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
} from "@riskgate/test-support/services";
import { afterEach, describe, expect, it } from "vitest";

const SESSION_TIMEOUT_MS = 30_000;

const kafka = createKafka("ingest-stop-joining");
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** Topics of the test's own holding one event, a group, and the environment of an ingest for them. */
async function world(name: string) {
  const prefix = `${uniqueTopic(name)}.`;
  const topics = topicNames(prefix);
  const all = [...Object.values(topics.input), topics.deadLetter];
  await createTopics(kafka, all);
  cleanup.push(() => deleteTopics(kafka, all));
  const e = payment(`${name}-1`, T0, { user_id: `u_${name}`, payment_instrument_id: `pi_${name}` });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: topics.input.payments,
    messages: [{ key: e.event_id, value: JSON.stringify(e) }],
  });
  await producer.disconnect();
  const groupId = uniqueGroup(name);
  const env = {
    REDIS_URL: redisUrl(),
    REDIS_KEY_PREFIX: uniquePrefix(name),
    KAFKA_BROKERS: kafkaBrokers().join(","),
    KAFKA_TOPIC_PREFIX: prefix,
    INGEST_GROUP_ID: groupId,
    INGEST_METRICS_PORT: "0",
  };
  return { inputTopics: Object.values(topics.input), groupId, env };
}

/** A holder in the world's group, let go at the latest when the test ends. */
async function holdGroup(groupId: string, topics: string[]): Promise<GroupHolder> {
  const holder = await GroupHolder.hold(kafka, groupId, topics);
  cleanup.push(() => holder.letGo());
  return holder;
}

function startIngest(env: Record<string, string>): ServiceProcess {
  const service = new ServiceProcess("services/feature-ingest/src/main.ts", env);
  cleanup.push(() => service.stop());
  return service;
}

async function metricsUrl(service: ServiceProcess): Promise<string> {
  const { port } = await service.waitForLog("metrics listening");
  return `http://127.0.0.1:${port}`;
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

describe("feature-ingest stopped with SIGTERM while still joining its group", () => {
  it(
    "leaves the group once the join ends, so the next ingest is ready well within the session timeout; applies nothing",
    async () => {
      const { inputTopics, groupId, env } = await world("stop-joining");
      const holder = await holdGroup(groupId, inputTopics);
      const first = startIngest(env);
      await holder.joinerHeld();
      expect((await fetch(`${await metricsUrl(first)}/readyz`)).status).toBe(503);

      const exited = first.stop();
      await first.waitForLog("shutting down");
      // The rebalance completes: the ingest's JoinGroup is answered while its stop waits for it.
      await holder.letGo();
      expect(await exited).toBe(0);
      expect(first.logged("closed").map((l) => l.resource)).toContain("kafka consumer");
      // LeaveGroup reached the broker: no member is left for a session timeout to expire.
      expect((await describeGroup(kafka, groupId)).clients).toEqual([]);

      const second = startIngest(env);
      // Timed from when it is up (metrics listening, Kafka next), as in hand-over.test.ts.
      await second.waitForLog("metrics listening");
      const upAt = performance.now();
      await waitFor(async () => (await fetch(`${await metricsUrl(second)}/readyz`)).status === 200, {
        timeoutMs: SESSION_TIMEOUT_MS + 15_000,
        what: "/readyz 200",
      });
      expect(performance.now() - upAt, "ready well within the 30 s session timeout").toBeLessThan(10_000);
      // Neither the first ingest nor the holder applied or committed the event: the second applies it.
      await waitFor(async () => Object.keys(await outcomes(second)).length > 0, {
        timeoutMs: 20_000,
        what: "the event consumed",
      });
      expect(await outcomes(second)).toEqual({ applied: 1 });
    },
    SESSION_TIMEOUT_MS + 90_000,
  );

  it("gives up a join the group holds past its bound, and exits within the shutdown deadline saying so", async () => {
    const { inputTopics, groupId, env } = await world("stop-held-join");
    const holder = await holdGroup(groupId, inputTopics);
    const first = startIngest(env);
    await holder.joinerHeld();

    const signalledAt = performance.now();
    expect(await first.stop()).toBe(1);
    // Bounded by the consumer's own wait for the join, before the shutdown's 10 s deadline per resource.
    expect(performance.now() - signalledAt).toBeLessThan(10_000);
    const failed = first.logged("failed to close");
    expect(failed.map((l) => l.resource)).toEqual(["kafka consumer"]);
    expect(failed[0]?.err).toMatchObject({
      code: "timeout",
      message: expect.stringContaining(`still joining group ${groupId}`),
    });
  }, 90_000);
});

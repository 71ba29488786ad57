// Topics that ensureTopics made take writes as soon as it returns: the services produce (and the tests
// produce to them) right after it. Ready on the metadata alone, a KRaft broker still refused one of
// two partitions for a moment, and kafkajs sent the whole request again, so a non-idempotent send
// wrote the other partition's messages twice (3 of 10 sends on the dev broker).
import { ensureTopicsOn } from "@riskgate/common/kafka-topics";
import { createKafka, deleteTopics, uniqueTopic, withAdmin } from "@riskgate/test-support/services";
import type { Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROUNDS = 5;
const MESSAGES = 150;

const kafka = createKafka("kafka-topics");
const made: string[] = [];
let producer: Producer;

beforeAll(async () => {
  // As hand-over.test.ts's producer: connected before the topics exist, not idempotent.
  producer = kafka.producer({ idempotent: false });
  await producer.connect();
});
afterAll(async () => {
  await producer?.disconnect();
  await deleteTopics(kafka, made);
});

describe("ensureTopicsOn", () => {
  it("returns once new topics take writes: a send right after it lands every message once", async () => {
    const landed: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const prefix = uniqueTopic(`ensure-${round}`);
      // Six two-partition topics at once, as feature-ingest's main.ts makes them.
      const topics = ["a", "b", "c", "d", "e", "f"].map((s) => `${prefix}.${s}`);
      made.push(...topics);
      expect(await ensureTopicsOn(kafka, topics, { partitions: 2, replicationFactor: -1 })).toEqual(topics);
      const topic = topics[0] as string;
      await producer.send({
        topic,
        messages: Array.from({ length: MESSAGES }, (_, i) => ({ key: `k-${i}`, value: String(i) })),
      });
      const offsets = await withAdmin(kafka, (admin) => admin.fetchTopicOffsets(topic));
      expect(offsets).toHaveLength(2);
      landed.push(offsets.reduce((sum, p) => sum + Number(p.high), 0));
    }
    expect(landed).toEqual(Array(ROUNDS).fill(MESSAGES));
  });

  it("leaves an existing topic as it is and returns no names", async () => {
    const topic = uniqueTopic("ensure-existing");
    made.push(topic);
    expect(await ensureTopicsOn(kafka, [topic], { partitions: 2, replicationFactor: -1 })).toEqual([topic]);
    expect(await ensureTopicsOn(kafka, [topic], { partitions: 3, replicationFactor: -1 })).toEqual([]);
    const offsets = await withAdmin(kafka, (admin) => admin.fetchTopicOffsets(topic));
    expect(offsets).toHaveLength(2);
  });
});

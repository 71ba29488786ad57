// Topics that ensureTopics made take writes as soon as it returns: the services produce (and the tests
// produce to them) right after it. Ready on the metadata alone, a KRaft broker still refused one of
// two partitions for a moment, and kafkajs sent the whole request again, so a non-idempotent send
// wrote the other partition's messages twice (3 of 10 sends on the dev broker).
import { ensureTopics, ensureTopicsOn } from "@riskgate/common/kafka-topics";
import { createKafka, deleteTopics, uniqueTopic, withAdmin } from "@riskgate/test-support/services";
import type { Admin, Producer } from "kafkajs";
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

// What a KRaft broker answers for a topic it does not host yet cannot be brought about on demand:
// these admins answer it in a scripted order, as the dev broker once did in CI.
describe("ensureTopics while the broker does not host a topic yet", () => {
  const refusal = (type: string) => Object.assign(new Error(`refused: ${type}`), { type, retriable: true });
  const scripted = (metadata: (() => unknown)[]) => {
    let calls = 0;
    const admin = {
      listTopics: async () => ["t"],
      fetchTopicMetadata: async () => {
        const answer = metadata[Math.min(calls++, metadata.length - 1)] as () => unknown;
        return answer();
      },
      fetchTopicOffsets: async () => [{ partition: 0, offset: "0", high: "0", low: "0" }],
    };
    return { admin: admin as unknown as Admin, calls: () => calls };
  };
  const hosted = () => ({ topics: [{ name: "t", partitions: [{ partitionId: 0, leader: 1 }] }] });

  it("waits through 'does not host this topic-partition' and returns once the topic is led", async () => {
    const { admin, calls } = scripted([
      () => {
        throw refusal("UNKNOWN_TOPIC_OR_PARTITION");
      },
      () => {
        throw refusal("LEADER_NOT_AVAILABLE");
      },
      hosted,
    ]);
    await expect(ensureTopics(admin, ["t"], { partitions: 1, replicationFactor: -1 })).resolves.toEqual([]);
    expect(calls()).toBe(3);
  });

  it("fails at once on any other error", async () => {
    const { admin } = scripted([
      () => {
        throw Object.assign(new Error("not authorized"), { type: "TOPIC_AUTHORIZATION_FAILED" });
      },
    ]);
    await expect(ensureTopics(admin, ["t"], { partitions: 1, replicationFactor: -1 })).rejects.toThrow(
      "not authorized",
    );
  });
});

// Proves kafkajs 2.2.4 (the last release) against the broker version pinned in
// infra/dev/kafka.sh: admin, keyed produce, consumer groups with manual commits,
// and resuming from committed offsets after a restart. If a broker upgrade breaks
// kafkajs (Kafka 4.0 removed old protocol versions, KIP-896), this fails first.

import {
  createKafka,
  createTopics,
  deleteTopics,
  uniqueGroup,
  uniqueTopic,
  waitFor,
  withAdmin,
} from "@riskgate/test-support/services";
import { type Consumer, type Kafka, Partitioners } from "kafkajs";
import { describe, expect, it } from "vitest";

interface Received {
  partition: number;
  offset: string;
  key: string;
  value: string;
}

const PARTITIONS = 3;
const KEYS = Array.from({ length: 9 }, (_, i) => `key-${i}`);

const indexes = (rs: Received[]) =>
  rs.map((r) => (JSON.parse(r.value) as { i: number }).i).sort((a, b) => a - b);
const range = (from: number, count: number) => Array.from({ length: count }, (_, n) => from + n);

async function produce(kafka: Kafka, topic: string, from: number, count: number): Promise<void> {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    const messages = range(from, count).map((i) => ({
      key: KEYS[i % KEYS.length] ?? "",
      value: JSON.stringify({ i }),
    }));
    const meta = await producer.send({ topic, acks: -1, messages });
    expect(meta.every((m) => m.errorCode === 0)).toBe(true);
  } finally {
    await producer.disconnect();
  }
}

/**
 * Starts a group member with manual commits. `commitWhile` decides, message by
 * message, whether to commit it (offset + 1, the next offset to read); a member that
 * stops committing behaves like one that crashed after processing.
 */
async function startConsumer(
  kafka: Kafka,
  groupId: string,
  topic: string,
  received: Received[],
  commitWhile: (m: Received) => boolean = () => true,
): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 200,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic: t, partition, message }) => {
      const m: Received = {
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? "",
        value: message.value?.toString() ?? "",
      };
      if (commitWhile(m)) {
        await consumer.commitOffsets([
          { topic: t, partition, offset: (BigInt(message.offset) + 1n).toString() },
        ]);
      }
      // Counted once handled, its commit included: a test that saw it may read the group's offsets.
      received.push(m);
    },
  });
  return consumer;
}

/**
 * Waits until the expected count arrived. No grace period for duplicates: a partition delivers in
 * offset order, so a message delivered again (a resume from before the committed offset) arrives
 * ahead of its partition's new messages, and the count is then reached with a duplicate in and a
 * new message missing, which the callers' exact comparison of what arrived catches.
 */
async function settle(received: Received[], expected: number, what: string): Promise<void> {
  await waitFor(() => received.length >= expected, { timeoutMs: 30_000, what });
}

describe("kafkajs 2.2.4 against the pinned dev broker", () => {
  it("creates a 3-partition topic, keeps keys on one partition, and resumes a group from committed offsets", async () => {
    const kafka = createKafka("compat");
    const topic = uniqueTopic("compat");
    const groupId = uniqueGroup("compat");
    await createTopics(kafka, [{ topic, numPartitions: PARTITIONS }]);
    try {
      const meta = await withAdmin(kafka, (admin) => admin.fetchTopicMetadata({ topics: [topic] }));
      expect(meta.topics[0]?.partitions).toHaveLength(PARTITIONS);

      // Round 1: 45 keyed messages, all processed and committed.
      await produce(kafka, topic, 0, 45);
      const first: Received[] = [];
      const c1 = await startConsumer(kafka, groupId, topic, first);
      try {
        await settle(first, 45, "the first consumer to read 45 messages");
      } finally {
        await c1.disconnect();
      }
      expect(indexes(first)).toEqual(range(0, 45));
      // Same key, same partition; and with 9 keys the batch really spreads out.
      const partitionOfKey = new Map<string, number>();
      for (const m of first) {
        expect(partitionOfKey.get(m.key) ?? m.partition).toBe(m.partition);
        partitionOfKey.set(m.key, m.partition);
      }
      expect(new Set(first.map((m) => m.partition)).size).toBeGreaterThan(1);

      // The group's committed offsets are the end of each partition.
      await withAdmin(kafka, async (admin) => {
        const ends = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        const byPartition = new Map(committed?.partitions.map((p) => [p.partition, p.offset]));
        for (const end of ends) expect(byPartition.get(end.partition)).toBe(end.high);
      });

      // Round 2: restart after new messages arrived: only the new ones come, once.
      await produce(kafka, topic, 45, 15);
      const second: Received[] = [];
      const c2 = await startConsumer(kafka, groupId, topic, second);
      try {
        await settle(second, 15, "the restarted consumer to read the 15 new messages");
      } finally {
        await c2.disconnect();
      }
      expect(indexes(second)).toEqual(range(45, 15));
      for (const m of second) expect(partitionOfKey.get(m.key)).toBe(m.partition);
    } finally {
      await deleteTopics(kafka, [topic]);
    }
  }, 90_000);

  it("re-delivers exactly what was processed but not committed", async () => {
    const kafka = createKafka("compat-partial");
    const topic = uniqueTopic("compat-partial");
    const groupId = uniqueGroup("compat-partial");
    await createTopics(kafka, [{ topic, numPartitions: PARTITIONS }]);
    try {
      await produce(kafka, topic, 0, 30);

      // Commit the first 20 messages processed, then "crash": process the rest without committing.
      const first: Received[] = [];
      let commits = 0;
      const c1 = await startConsumer(kafka, groupId, topic, first, () => ++commits <= 20);
      try {
        await settle(first, 30, "the first consumer to read 30 messages");
      } finally {
        await c1.disconnect();
      }
      expect(indexes(first)).toEqual(range(0, 30));
      const uncommitted = indexes(first.slice(20));

      const second: Received[] = [];
      const c2 = await startConsumer(kafka, groupId, topic, second);
      try {
        await settle(
          second,
          uncommitted.length,
          "the restarted consumer to re-read the uncommitted messages",
        );
      } finally {
        await c2.disconnect();
      }
      // Nothing lost (every uncommitted message comes back), nothing committed comes back.
      expect(indexes(second)).toEqual(uncommitted);
    } finally {
      await deleteTopics(kafka, [topic]);
    }
  }, 90_000);
});

import { idempotentProducer } from "@riskgate/common/kafka-idempotent-producer";
import { KafkaFaultProxy } from "@riskgate/test-support/kafka-fault-proxy";
import {
  createKafka,
  createTopics,
  deleteTopics,
  readJsonRecords,
  uniqueTopic,
  waitFor,
  withAdmin,
} from "@riskgate/test-support/services";
import kafkajs from "kafkajs";
import { afterAll, describe, expect, it } from "vitest";
import { KafkaDecisionLog } from "../../src/scoring/decision-log.ts";

const kafka = createKafka("decision-log");
const topics: string[] = [];
afterAll(() => deleteTopics(kafka, topics));

function record(i: number) {
  return { kind: "decision" as const, event_id: `co_${i}`, decision: "allow", score: i / 100 };
}

describe("KafkaDecisionLog", () => {
  it("publishes every record, in order, one message per record", async () => {
    const topic = uniqueTopic("decisions");
    topics.push(topic);
    await createTopics(kafka, [topic]);
    const producer = idempotentProducer(kafka, { allowAutoTopicCreation: false }); // as run.ts's
    await producer.connect();
    const errors: unknown[] = [];
    const log = new KafkaDecisionLog(producer, {
      topic,
      maxBuffered: 1_000,
      flushIntervalMs: 5,
      maxBatch: 7,
      onDropped: () => errors.push("dropped"),
      onError: (err) => errors.push(err),
    });
    try {
      for (let i = 0; i < 40; i++) log.publish(record(i));
      const got = await readJsonRecords(kafka, topic, (r) => r.length >= 40);
      expect(got).toEqual(Array.from({ length: 40 }, (_, i) => record(i)));
      expect(errors).toEqual([]);
    } finally {
      await log.close();
      await producer.disconnect();
    }
  });

  it("compresses its batches with zstd when asked, and a reader gets every record back intact", async () => {
    const topic = uniqueTopic("decisions-zstd");
    topics.push(topic);
    await createTopics(kafka, [topic]);
    const producer = idempotentProducer(kafka, { allowAutoTopicCreation: false }); // as run.ts's
    await producer.connect();
    const log = new KafkaDecisionLog(producer, {
      topic,
      maxBuffered: 1_000,
      flushIntervalMs: 5,
      maxBatch: 50,
      compression: "zstd",
      onDropped: () => {},
      onError: () => {},
    });
    // The codec the log installed, its compressions counted: the batches really are zstd.
    const ZSTD = kafkajs.CompressionTypes.ZSTD;
    const installed = kafkajs.CompressionCodecs[ZSTD]();
    let compressed = 0;
    kafkajs.CompressionCodecs[ZSTD] = () => ({
      ...installed,
      compress: (e: unknown) => {
        compressed++;
        return installed.compress(e);
      },
    });
    try {
      const records = Array.from({ length: 120 }, (_, i) => ({ ...record(i), text: `é ${"x".repeat(i)}` }));
      for (const r of records) log.publish(r);
      await waitFor(() => log.buffered === 0, { what: "every record sent" });
      expect(compressed).toBeGreaterThan(0);
      // readJsonRecords installs the codec as any reader must, and decompresses every batch.
      const got = await readJsonRecords(kafka, topic, (r) => r.length >= records.length);
      expect(got).toEqual(records);
    } finally {
      kafkajs.CompressionCodecs[ZSTD] = () => installed;
      await log.close();
      await producer.disconnect();
    }
  });

  it("sends every full batch waiting on a tick, back to back, and leaves the rest for the next", async () => {
    const topic = uniqueTopic("decisions-backlog");
    topics.push(topic);
    await createTopics(kafka, [topic]);
    const producer = idempotentProducer(kafka, { allowAutoTopicCreation: false }); // as run.ts's
    await producer.connect();
    const log = new KafkaDecisionLog(producer, {
      topic,
      maxBuffered: 1_000,
      flushIntervalMs: 3_600_000, // no timer tick during the test: flush() below is the tick
      maxBatch: 7,
      onDropped: () => {},
      onError: (err) => {
        throw err;
      },
    });
    try {
      for (let i = 0; i < 25; i++) log.publish(record(i));
      await log.flush();
      expect(log.buffered).toBe(4);
      const got = await readJsonRecords(kafka, topic, (r) => r.length >= 21);
      expect(got).toEqual(Array.from({ length: 21 }, (_, i) => record(i)));
    } finally {
      await log.close();
      await producer.disconnect();
    }
  });

  it("keeps at most maxBuffered records while Kafka is away and counts the rest as dropped", async () => {
    // A producer that never connected: every send fails, as it does while the brokers are away.
    const producer = idempotentProducer(createKafka("decision-log-away"), { allowAutoTopicCreation: false });
    let dropped = 0;
    let failures = 0;
    const log = new KafkaDecisionLog(producer, {
      topic: uniqueTopic("decisions-away"),
      maxBuffered: 5,
      flushIntervalMs: 5,
      maxBatch: 2,
      onDropped: (n) => {
        dropped += n;
      },
      onError: () => {
        failures++;
      },
    });
    for (let i = 0; i < 8; i++) log.publish(record(i));
    expect(dropped).toBe(3);
    expect(log.buffered).toBe(5);
    await waitFor(() => failures > 0, { what: "a failed send" });
    expect(log.buffered).toBe(5); // failed batches stay buffered for the next attempt
    await log.close();
    expect(dropped).toBe(8); // what close could not deliver is counted too
  });

  it("after a send the broker took but never acknowledged, sends the same batch again: each record once", async () => {
    // Every answer to three produce requests says a partition was refused after the append: the
    // first attempt and kafkajs's two retries (the broker recognises those as duplicates). The log
    // gets the error, more records arrive, and the next flush must not append the first ones again.
    const topic = uniqueTopic("decisions-unacknowledged");
    topics.push(topic);
    await createTopics(kafka, [{ topic, numPartitions: 3 }]);
    const proxy = await KafkaFaultProxy.start();
    const producer = idempotentProducer(
      proxy.kafka("decision-log", { retry: { retries: 2, initialRetryTime: 50 } }),
      {
        allowAutoTopicCreation: false,
      },
    );
    await producer.connect();
    const errors: unknown[] = [];
    const log = new KafkaDecisionLog(producer, {
      topic,
      maxBuffered: 1_000,
      flushIntervalMs: 3_600_000, // flush() below is the tick
      maxBatch: 50,
      onDropped: () => errors.push("dropped"),
      onError: (err) => errors.push(err),
    });
    try {
      for (let i = 0; i < 20; i++) log.publish(record(i));
      proxy.refuseNextProduce(3);
      await log.flush();
      expect(proxy.refused).toBe(3);
      expect(errors).toHaveLength(1);
      expect(log.buffered).toBe(20);
      for (let i = 20; i < 40; i++) log.publish(record(i));
      await log.flush(); // the same 20 records: the broker answers with their offsets
      await log.flush(); // the 20 new ones
      expect(errors).toHaveLength(1);
      expect(log.buffered).toBe(0);
      const offsets = await withAdmin(kafka, (a) => a.fetchTopicOffsets(topic));
      expect(offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0)).toBe(40);
      const got = await readJsonRecords(kafka, topic, (r) => r.length >= 40);
      expect(got.map((r) => r.event_id).sort()).toEqual(
        Array.from({ length: 40 }, (_, i) => `co_${i}`).sort(),
      );
    } finally {
      await log.close();
      await producer.disconnect();
      await proxy.close();
    }
  });
});

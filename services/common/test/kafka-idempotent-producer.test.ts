// Each record once when kafkajs retries a produce request: a proxy between the producer and the dev
// broker answers a request the broker appended as if one partition had been refused
// (NOT_ENOUGH_REPLICAS_AFTER_APPEND), so kafkajs sends the whole request again.
import { idempotentProducer } from "@riskgate/common/kafka-idempotent-producer";
import { KafkaFaultProxy } from "@riskgate/test-support/kafka-fault-proxy";
import {
  createKafka,
  createTopics,
  deleteTopics,
  uniqueGroup,
  uniqueTopic,
  waitFor,
  withAdmin,
} from "@riskgate/test-support/services";
import type { Kafka, Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SENT = 150;
const admin = createKafka("idempotent-admin");
const made: string[] = [];
let proxy: KafkaFaultProxy;
let kafka: Kafka;

beforeAll(async () => {
  proxy = await KafkaFaultProxy.start();
  // Retries as the scoring API's client has them; the first at least 300 ms away (the gap below).
  kafka = proxy.kafka("idempotent", { retry: { retries: 2, initialRetryTime: 400 } });
});
afterAll(async () => {
  await proxy?.close();
  await deleteTopics(admin, made);
});

async function topicWith(partitions: number): Promise<string> {
  const topic = uniqueTopic("idempotent");
  made.push(topic);
  await createTopics(admin, [{ topic, numPartitions: partitions }]);
  return topic;
}

/** Records in the topic: its offsets, summed over partitions (no transactions, so no markers). */
async function recordsIn(topic: string): Promise<number> {
  const offsets = await withAdmin(admin, (a) => a.fetchTopicOffsets(topic));
  return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
}

async function valuesIn(topic: string, expected: number): Promise<string[]> {
  const consumer = admin.consumer({ groupId: uniqueGroup("idempotent-reader") });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) });
    await waitFor(() => values.length >= expected, { what: `${expected} records on ${topic}` });
    return values;
  } finally {
    await consumer.disconnect();
  }
}

async function connected(p: Producer): Promise<Producer> {
  await p.connect();
  return p;
}

const messages = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k-${i}`, value: `v-${i}` }));

/** Sends SENT records across the topic with the proxy refusing the first produce answer once. */
async function sendRefusedOnce(p: Producer, topic: string): Promise<void> {
  const producer = await connected(p);
  try {
    const refused = proxy.refused;
    proxy.refuseNextProduce();
    await producer.send({ topic, acks: -1, messages: messages(SENT) });
    expect(proxy.refused).toBe(refused + 1);
  } finally {
    await producer.disconnect();
  }
}

describe("idempotentProducer under a produce request retried whole", () => {
  it("the fault is real: a non-idempotent producer writes the records twice", async () => {
    const topic = await topicWith(3);
    await sendRefusedOnce(kafka.producer({ allowAutoTopicCreation: false }), topic);
    expect(await recordsIn(topic)).toBe(2 * SENT);
  });

  it("writes each of N records once for N sent across three partitions", async () => {
    const topic = await topicWith(3);
    await sendRefusedOnce(idempotentProducer(kafka, { allowAutoTopicCreation: false }), topic);
    expect(await recordsIn(topic)).toBe(SENT);
  });

  it("a send made while another waits for its retry lands once, and so does the retried one", async () => {
    // Unserialised, kafkajs gave the second send the first one's sequence: the broker acknowledged
    // it as the first one's duplicate (never written) and the first was appended twice.
    const topic = await topicWith(1);
    const producer = await connected(idempotentProducer(kafka, { allowAutoTopicCreation: false }));
    try {
      await producer.send({ topic, acks: -1, messages: [{ value: "before" }] });
      proxy.refuseNextProduce();
      const first = producer.send({ topic, acks: -1, messages: [{ value: "first" }] });
      await new Promise((r) => setTimeout(r, 100)); // inside the retry's back-off
      const second = producer.send({ topic, acks: -1, messages: [{ value: "second" }] });
      await Promise.all([first, second]);
      expect(await valuesIn(topic, 3)).toEqual(["before", "first", "second"]);
      expect(await recordsIn(topic)).toBe(3);
    } finally {
      await producer.disconnect();
    }
  });

  it("after a send failed for good, the next sends are written, whatever their size", async () => {
    // The broker holds the failed batch; kafkajs gave its sequences back. On the same producer id a
    // send of the same size was acknowledged as that batch and never written, any other refused as
    // out of order, and every send after it.
    const topic = await topicWith(1);
    const producer = await connected(idempotentProducer(kafka, { allowAutoTopicCreation: false }));
    const batch = (tag: string, n: number) => Array.from({ length: n }, (_, i) => ({ value: `${tag}-${i}` }));
    try {
      proxy.refuseNextProduce(3); // the send and both of kafkajs's retries
      await expect(producer.send({ topic, acks: -1, messages: batch("held", 5) })).rejects.toThrow();
      await producer.send({ topic, acks: -1, messages: batch("same-size", 5) });
      await producer.send({ topic, acks: -1, messages: batch("other-size", 7) });
      const values = await valuesIn(topic, 17);
      expect(values).toEqual(
        [...batch("held", 5), ...batch("same-size", 5), ...batch("other-size", 7)].map((m) => m.value),
      );
      expect(await recordsIn(topic)).toBe(17);
    } finally {
      await producer.disconnect();
    }
  });
});

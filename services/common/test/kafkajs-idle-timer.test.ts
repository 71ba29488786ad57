// A connected kafkajs client with nothing to send stops waking its process every millisecond:
// without the guard each broker connection re-armed a 1 ms timer forever (a TimeoutNegativeWarning
// at start, CPU while idle). kafkajs's own request-timeout check (every 100 ms) stays.
import { createHook } from "node:async_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { createKafka, createTopics, deleteTopics, uniqueTopic } from "@riskgate/test-support/services";
import { afterAll, describe, expect, it } from "vitest";
import { guardKafkajsIdleTimers } from "../src/kafkajs-idle-timer.ts";

const topic = uniqueTopic("idle-timer");
const kafka = createKafka("idle-timer");
afterAll(() => deleteTopics(kafka, [topic]));

/** How many timer callbacks ran while `idle` waited. */
async function timerWakeups(idleMs: number): Promise<number> {
  const timers = new Set<number>();
  let ran = 0;
  const hook = createHook({
    init: (id, type) => void (type === "Timeout" && timers.add(id)),
    before: (id) => void (timers.has(id) && ran++),
  });
  hook.enable();
  try {
    await delay(idleMs);
  } finally {
    hook.disable();
  }
  return ran;
}

describe("guardKafkajsIdleTimers", () => {
  it("an idle producer's connection no longer fires a timer every millisecond, and the producer still delivers", async () => {
    guardKafkajsIdleTimers();
    guardKafkajsIdleTimers(); // idempotent: a second call does not wrap the scheduler twice
    await createTopics(kafka, [{ topic, numPartitions: 1 }]);
    const producer = kafka.producer();
    await producer.connect();
    try {
      const [sent] = await producer.send({ topic, messages: [{ key: "k", value: "v" }] });
      expect(sent?.errorCode).toBe(0);
      // Unguarded, 300 ms idle ran ~300 callbacks of the queue's timer; guarded, the 100 ms
      // request-timeout checks of each connection and the wait itself.
      expect(await timerWakeups(300)).toBeLessThan(30);
      const [again] = await producer.send({ topic, messages: [{ key: "k", value: "w" }] });
      expect(again?.errorCode).toBe(0);
    } finally {
      await producer.disconnect();
    }
  });
});

import { setTimeout as delay } from "node:timers/promises";
import type { Producer } from "kafkajs";

export interface SinkMessage {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
}

/**
 * Sends batches to Kafka and retries a failed batch until the broker takes it (a broker restart
 * delays the replay, it never drops events; a re-sent batch may duplicate a few, which the feature
 * store's per-event dedup absorbs). `onRetry` says why it is waiting.
 */
export async function sendUntilAcked(
  producer: Producer,
  messages: readonly SinkMessage[],
  onRetry: (attempt: number, err: unknown) => void,
  stopped: () => boolean = () => false,
): Promise<boolean> {
  if (messages.length === 0) return true;
  const byTopic = new Map<string, { key: string; value: string }[]>();
  for (const m of messages) {
    const list = byTopic.get(m.topic) ?? [];
    list.push({ key: m.key, value: m.value });
    byTopic.set(m.topic, list);
  }
  const topicMessages = [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs }));
  for (let attempt = 1; ; attempt++) {
    try {
      await producer.sendBatch({ topicMessages, acks: -1 });
      return true;
    } catch (err) {
      onRetry(attempt, err);
      if (stopped() && attempt >= 3) return false;
      await delay(Math.min(5_000, 200 * 2 ** Math.min(attempt, 5)));
    }
  }
}

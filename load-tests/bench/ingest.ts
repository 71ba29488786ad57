// What feature-ingest does while the bench's steady runs: a replay of the world's events after the
// cut-off produced to the input topics at a constant rate, and a freshness probe: a payment produced
// to Kafka, then POST /v1/features until scoring sees it.
import type { DomainEvent } from "@riskgate/feature-store/events";
import { INPUT_TOPICS, type InputTopic } from "@riskgate/feature-store/events";
import type { Kafka, Producer } from "kafkajs";

const TOPIC_OF = new Map<string, InputTopic>(
  (Object.entries(INPUT_TOPICS) as [InputTopic, readonly string[]][]).flatMap(([t, types]) =>
    types.map((type) => [type, t] as const),
  ),
);

function keyOf(e: DomainEvent): string {
  const r = e as unknown as Record<string, unknown>;
  return String(r.user_id ?? r.listing_id ?? e.event_id);
}

/** Produces `events` in order at `rate` per second (batches every 100 ms) until stopped or exhausted. */
export function startReplay(
  producer: Producer,
  prefix: string,
  events: readonly DomainEvent[],
  rate: number,
) {
  let next = 0;
  let produced = 0;
  let stopped = false;
  const perTick = Math.max(1, Math.round(rate / 10));
  const loop = (async () => {
    while (!stopped && next < events.length) {
      const started = Date.now();
      const batch = events.slice(next, next + perTick);
      next += batch.length;
      const byTopic = new Map<string, { key: string; value: string }[]>();
      for (const e of batch) {
        const topic = `${prefix}${TOPIC_OF.get(e.type) ?? "payments"}`;
        const list = byTopic.get(topic) ?? [];
        list.push({ key: keyOf(e), value: JSON.stringify(e) });
        byTopic.set(topic, list);
      }
      await producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      produced += batch.length;
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - started))));
    }
  })();
  return {
    async stop(): Promise<number> {
      stopped = true;
      await loop;
      return produced;
    },
  };
}

export interface FreshnessProbe {
  stop(): Promise<number[]>;
}

/**
 * Every `everyMs`, a payment attempt on a card never seen before is produced to the payments topic; the
 * probe then reads POST /v1/features for a checkout on that card every 2 ms until instrument_attempts_1h
 * counts it. Returns the delays (produce call to first visible read) in ms.
 */
export function startFreshness(
  kafka: Kafka,
  prefix: string,
  baseUrl: string,
  apiKey: string,
  checkoutTemplate: Record<string, unknown>,
  everyMs = 250,
): FreshnessProbe {
  const producer = kafka.producer();
  const delays: number[] = [];
  let stopped = false;
  const run = `${Date.now().toString(36)}`;
  const loop = (async () => {
    await producer.connect();
    for (let n = 0; !stopped; n++) {
      const card = `pi_fresh_${run}_${n}`;
      const now = new Date().toISOString();
      const payment = {
        type: "payment_attempt",
        event_id: `fresh-${run}-${n}`,
        occurred_at: now,
        user_id: `u_fresh_${run}`,
        payment_instrument_id: card,
        amount: 10,
        currency: "EUR",
        status: "succeeded",
      };
      const checkout = {
        ...checkoutTemplate,
        event_id: `fresh-co-${run}-${n}`,
        occurred_at: now,
        payment: { ...(checkoutTemplate.payment as object), instrument_id: card },
      };
      const t0 = performance.now();
      await producer.send({
        topic: `${prefix}payments`,
        messages: [{ key: payment.user_id, value: JSON.stringify(payment) }],
      });
      for (;;) {
        const res = await fetch(`${baseUrl}/v1/features`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
          body: JSON.stringify(checkout),
        });
        const body = (await res.json()) as { features?: Record<string, number> };
        if ((body.features?.instrument_attempts_1h ?? 0) >= 1) break;
        if (performance.now() - t0 > 10_000) break; // counted as 10 s: lost or very late
        await new Promise((r) => setTimeout(r, 2));
      }
      delays.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await producer.disconnect();
      return delays;
    },
  };
}

import { createHash } from "node:crypto";
import { decodeEvent, type LabelEvent } from "@riskgate/feature-store/events";
import type { OnlineStore } from "@riskgate/feature-store/online";
import { update } from "@riskgate/feature-store/update";
import type { Producer } from "kafkajs";
import { withTimeout } from "../with-timeout.ts";
import type { ReviewCase, ReviewLabel } from "./review-queue.ts";

/** Where a review resolution goes as a label. `publish` resolves only once the label is durable. */
export interface LabelSink {
  readonly kind: "kafka" | "store";
  publish(event: LabelEvent): Promise<void>;
}

/**
 * The label a resolution publishes. Its event_id is derived from the case, so a retried resolve
 * re-sends the same event and the feature store's per-event dedup applies it once.
 */
export function reviewOutcomeEvent(
  c: ReviewCase,
  label: ReviewLabel,
  at: number,
  reviewer: string,
): LabelEvent {
  const plain = `ro_${c.id}`;
  const event = {
    type: "review_outcome",
    // Event ids are at most 128 characters; a long case id is replaced by its hash.
    event_id:
      plain.length <= 128 ? plain : `ro_h_${createHash("sha256").update(c.id).digest("hex").slice(0, 40)}`,
    occurred_at: new Date(at).toISOString(),
    checkout_event_id: c.event_id,
    label,
    user_id: c.user_id,
    payment_instrument_id: c.payment_instrument_id,
    reviewer,
  };
  // The same contract the consumer decodes with: a label it would dead-letter never leaves here.
  return decodeEvent(event) as LabelEvent;
}

/** Produces to `<prefix>labels` with acks=-1 (all in-sync replicas), under a timeout. */
export class KafkaLabelSink implements LabelSink {
  readonly kind = "kafka";
  private readonly producer: Producer;
  private readonly topic: string;
  private readonly timeoutMs: number;

  constructor(producer: Producer, topic: string, timeoutMs: number) {
    this.producer = producer;
    this.topic = topic;
    this.timeoutMs = timeoutMs;
  }

  async publish(event: LabelEvent): Promise<void> {
    await withTimeout(
      this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: [{ key: event.event_id, value: JSON.stringify(event) }],
      }),
      this.timeoutMs,
      "label publish",
    );
  }
}

/**
 * Without Kafka (the embedded default) the label is applied straight to the online store with the
 * same `update` the consumer runs, so the next checkout still sees it.
 */
export class StoreLabelSink implements LabelSink {
  readonly kind = "store";
  private readonly store: OnlineStore;

  constructor(store: OnlineStore) {
    this.store = store;
  }

  async publish(event: LabelEvent): Promise<void> {
    await this.store.apply(update(event));
  }
}

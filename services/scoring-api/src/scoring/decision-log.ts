import { installZstdCodec } from "@riskgate/common/kafka-codecs";
import type { Producer } from "kafkajs";
import kafkajs from "kafkajs";

/** One line of the training log: the exact features served, every version, mode and timings. */
export interface DecisionRecord {
  readonly event_id: string;
  readonly kind: "decision" | "shadow";
  readonly [key: string]: unknown;
}

export interface DecisionLog {
  /** Never blocks and never throws: scoring must not wait on Kafka. */
  publish(record: DecisionRecord): void;
  close(): Promise<void>;
}

export interface KafkaDecisionLogOptions {
  readonly topic: string;
  /** Records held while Kafka is slow or away; beyond it new records are dropped and counted. */
  readonly maxBuffered: number;
  readonly flushIntervalMs: number;
  readonly maxBatch: number;
  /** Of every batch; zstd installs its codec (kafka-codecs.ts), so every reader needs it too. Unset: none. */
  readonly compression?: "zstd";
  /** False while the producer is still connecting in the background: records wait in the buffer. */
  readonly connected?: () => boolean;
  onDropped(count: number): void;
  onError(err: unknown): void;
}

/**
 * Buffers decisions and sends them in batches from a timer. The buffer is bounded: during a Kafka
 * outage the service keeps scoring at full speed and drops the overflow, counted, rather than
 * growing its heap (and its GC pauses) without limit.
 */
export class KafkaDecisionLog implements DecisionLog {
  // Serialised on publish: a buffered message is two strings, not the object graph of a decision
  // that every young-generation GC would otherwise copy until the batch is sent.
  private buffer: { key: string; value: string }[] = [];
  private sending = false;
  /** Records at the buffer's head whose last send failed: the next send is exactly them. */
  private unsent = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly producer: Producer;
  private readonly options: KafkaDecisionLogOptions;

  constructor(producer: Producer, options: KafkaDecisionLogOptions) {
    this.producer = producer;
    this.options = options;
    if (options.compression === "zstd") installZstdCodec();
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.timer.unref();
  }

  publish(record: DecisionRecord): void {
    if (this.buffer.length >= this.options.maxBuffered) {
      this.options.onDropped(1);
      return;
    }
    this.buffer.push({ key: record.event_id, value: JSON.stringify(record) });
  }

  get buffered(): number {
    return this.buffer.length;
  }

  async flush(): Promise<void> {
    if (this.sending || this.buffer.length === 0) return;
    if (this.options.connected && !this.options.connected()) return;
    this.sending = true;
    try {
      // Back to back while a full batch waits: the timer sets the batch size at a steady rate, it
      // does not cap the throughput (one batch per tick would drop decisions past maxBatch/tick).
      do {
        // After a failed send, the same records and no more: the broker may hold them (its answer
        // lost) and kafkajs gave their sequence numbers back. The same batch keeps the producer id
        // and is taken for the duplicate it is; any other would go out under a new producer id
        // (idempotentProducer), the held records written a second time.
        const batch = this.buffer.slice(0, this.unsent || this.options.maxBatch);
        this.unsent = batch.length;
        await this.producer.send({
          topic: this.options.topic,
          acks: -1, // all in-sync replicas: an idempotent producer refuses any other
          messages: batch,
          ...(this.options.compression === "zstd" ? { compression: kafkajs.CompressionTypes.ZSTD } : {}),
        });
        this.buffer.splice(0, batch.length);
        this.unsent = 0;
      } while (this.buffer.length >= this.options.maxBatch);
    } catch (err) {
      this.options.onError(err);
    } finally {
      this.sending = false;
    }
  }

  /** Flushes what it can; the producer belongs to whoever created it. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (let i = 0; i < 20 && this.buffer.length > 0; i++) {
      await this.flush();
      if (this.buffer.length > 0) await new Promise((r) => setTimeout(r, 50));
    }
    if (this.buffer.length > 0) this.options.onDropped(this.buffer.length);
  }
}

/** Without Kafka (the embedded default) there is no training log; the count says what was not kept. */
export class DiscardingDecisionLog implements DecisionLog {
  private readonly onDiscarded: () => void;

  constructor(onDiscarded: () => void) {
    this.onDiscarded = onDiscarded;
  }
  publish(): void {
    this.onDiscarded();
  }
  async close(): Promise<void> {}
}

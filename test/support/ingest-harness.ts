// Starts a real FeatureIngest against the dev Kafka and Redis (the Redis Cluster in the cluster vitest
// project) with topics and keys unique to one test.

import type { RedisClient } from "@riskgate/common/redis-client";
import { FeatureIngest, type IngestDeps } from "@riskgate/feature-ingest/consumer";
import { createIngestMetrics, type IngestMetrics } from "@riskgate/feature-ingest/ingest-metrics";
import { FEATURES, FeatureSet, HORIZON_MS } from "@riskgate/feature-store/definitions";
import {
  type DomainEvent,
  eventSourceOf,
  eventTimeMs,
  pseudonymiserFor,
  type TopicNames,
  topicForEventType,
  topicNames,
} from "@riskgate/feature-store/events";
import type { OnlineStore } from "@riskgate/feature-store/online";
import { MemoryStore, RedisStore, readCheckoutFeatures } from "@riskgate/feature-store/online";
import { type Admission, update } from "@riskgate/feature-store/update";
import type { Kafka } from "kafkajs";
import { pino } from "pino";
import { Registry } from "prom-client";
import { checkout } from "./events.ts";
import {
  createKafka,
  createRedis,
  createTopics,
  uniqueGroup,
  uniquePrefix,
  uniqueTopic,
  waitFor,
} from "./services.ts";

export const features = new FeatureSet(FEATURES);

/** The consumer's key when none is configured: expectations pseudonymise with it as the consumer does. */
export const pseudonymiser = pseudonymiserFor({}).pseudonymiser;

/** The service's defaults (INGEST_COMMIT_INTERVAL_MS, INGEST_PARTITIONS_CONCURRENTLY). */
export const INGEST_TUNING: { readonly commitIntervalMs: number; readonly partitionsConcurrently: number } = {
  commitIntervalMs: 1_000,
  partitionsConcurrently: 16,
};

/** What FeatureIngest admits with in these tests: the embedded default's key, the default skew. */
export function testAdmission(now: () => number = Date.now): Admission {
  return { pseudonymiser, maxClockSkewMs: 5 * 60_000, now };
}

export class IngestHarness {
  readonly kafka: Kafka;
  readonly topics: TopicNames;
  readonly groupId: string;
  readonly redis: RedisClient;
  readonly store: RedisStore;
  readonly keyPrefix: string;
  private readonly running: FeatureIngest[] = [];

  constructor(name: string) {
    this.kafka = createKafka(name);
    this.topics = topicNames(`${uniqueTopic(name)}.`);
    this.groupId = uniqueGroup(name);
    this.redis = createRedis();
    this.keyPrefix = uniquePrefix(name);
    this.store = new RedisStore(this.redis, { keyPrefix: this.keyPrefix });
  }

  async createTopics(partitions = 1): Promise<void> {
    const names = [...Object.values(this.topics.input), this.topics.deadLetter];
    await createTopics(
      this.kafka,
      names.map((topic) => ({ topic, numPartitions: partitions })),
    );
  }

  /**
   * One consumer instance, not started, stopped by close(). `overrides` replace the harness's
   * dependencies (a wrapped store, a Kafka client through a TcpGate, tuning).
   */
  createIngest(overrides: Partial<Omit<IngestDeps, "metrics">> = {}): {
    ingest: FeatureIngest;
    metrics: IngestMetrics;
  } {
    const metrics = createIngestMetrics(new Registry());
    const ingest = new FeatureIngest({
      kafka: this.kafka,
      store: this.store,
      topics: this.topics,
      groupId: this.groupId,
      logger: pino({ level: "silent" }),
      metrics,
      admission: testAdmission(),
      ...INGEST_TUNING,
      ...overrides,
    });
    this.running.push(ingest);
    return { ingest, metrics };
  }

  /** Starts one consumer instance; `store` lets a test wrap the real store to inject a crash. */
  async startIngest(
    store: OnlineStore = this.store,
    tuning: Partial<typeof INGEST_TUNING> = {},
  ): Promise<{ ingest: FeatureIngest; metrics: IngestMetrics }> {
    const created = this.createIngest({ store, ...tuning });
    await created.ingest.start();
    return created;
  }

  async produce(events: readonly (DomainEvent | { topic: keyof TopicNames["input"]; raw: string })[]) {
    const producer = this.kafka.producer();
    await producer.connect();
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const e of events) {
      const [topic, key, value] =
        "raw" in e
          ? [this.topics.input[e.topic], "poison", e.raw]
          : [this.topics.input[topicForEventType(e.type)], e.event_id, JSON.stringify(e)];
      const list = byTopic.get(topic) ?? [];
      list.push({ key, value });
      byTopic.set(topic, list);
    }
    for (const [topic, messages] of byTopic) await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();
  }

  /**
   * Produces events given in log order and waits until the ingest has consumed them, in slices that
   * span at most half the feature store's horizon. Kafka keeps order only within a partition, and an
   * event further behind its entity's newest state than the horizon is refused as too late, so a
   * world with years of history must arrive roughly in time order, as a live stream does.
   * Returns the consumed total (`consumedBefore` plus these events).
   */
  async produceInTimeOrder(
    events: readonly DomainEvent[],
    metrics: IngestMetrics,
    consumedBefore: number,
    timeoutMs: number,
  ): Promise<number> {
    let consumed = consumedBefore;
    for (let i = 0; i < events.length; ) {
      const from = eventTimeMs(events[i] as DomainEvent);
      let j = i;
      while (j < events.length && eventTimeMs(events[j] as DomainEvent) - from <= HORIZON_MS / 2) j++;
      await this.produce(events.slice(i, j));
      consumed += j - i;
      const target = consumed;
      await waitFor(async () => (await consumedCount(metrics)) >= target, { timeoutMs, what: "ingest" });
      i = j;
    }
    return consumed;
  }

  async close(): Promise<void> {
    for (const i of this.running) await i.stop().catch(() => {});
    await this.redis.quit();
  }
}

/** Total events consumed (any outcome) according to the ingest's own metrics. */
export async function consumedCount(metrics: IngestMetrics): Promise<number> {
  const m = await metrics.applied.get();
  return m.values.reduce((sum, v) => sum + v.value, 0);
}

/** The events applied in memory as the consumer applies them, each from its topic: identifiers pseudonymised. */
export function memoryStoreWith(events: readonly DomainEvent[]): MemoryStore {
  const store = new MemoryStore();
  for (const e of events)
    store.applySync(update(pseudonymiser.event(e, eventSourceOf(topicForEventType(e.type)))));
  return store;
}

/** Feature vectors for probe checkouts over every combination of the given (raw) ids. */
export async function probeFeatures(
  store: OnlineStore,
  at: number,
  ids: { users: string[]; instruments: string[]; devices: string[] },
) {
  const out: Record<string, number>[] = [];
  for (const u of ids.users) {
    for (const pi of ids.instruments) {
      for (const d of ids.devices) {
        const c = checkout(`probe-${u}-${pi}-${d}`, at, {
          user: { id: u, created_at: "2025-01-01T00:00:00Z" },
          payment: { instrument_id: pi, type: "card", country: "PT", billing_country: "PT" },
          device: { id: d, ip: "10.0.0.1", ip_country: "PT" },
        });
        const read = await readCheckoutFeatures(store, features, pseudonymiser.checkout(c));
        out.push(features.toRecord(read));
      }
    }
  }
  return out;
}

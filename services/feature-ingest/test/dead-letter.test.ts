// The dead-letter topic holds each refused message once when kafkajs retries the dead-letter send:
// the ingest reaches Kafka through a proxy that answers its produce request, which the broker
// appended, as refused (NOT_ENOUGH_REPLICAS_AFTER_APPEND), so kafkajs sends the request again.

import { IngestHarness } from "@riskgate/test-support/ingest-harness";
import { KafkaFaultProxy } from "@riskgate/test-support/kafka-fault-proxy";
import { waitFor, withAdmin } from "@riskgate/test-support/services";
import { afterEach, describe, expect, it } from "vitest";

const POISON = 12;
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe("dead-letter producer", () => {
  it("writes each dead letter once when its send is retried whole", async () => {
    const harness = new IngestHarness("ingest-dlq-once");
    cleanup.push(() => harness.close());
    await harness.createTopics();
    await harness.produce(
      Array.from({ length: POISON }, (_, i) => ({ topic: "payments", raw: `{not json ${i}` })),
    );
    const proxy = await KafkaFaultProxy.start();
    cleanup.push(() => proxy.close());
    proxy.refuseNextProduce();
    const { ingest, metrics } = harness.createIngest({ kafka: proxy.kafka("ingest-dlq-once") });
    await ingest.start();

    const deadLettered = async () =>
      (await metrics.deadLettered.get()).values.reduce((sum, v) => sum + v.value, 0);
    await waitFor(async () => (await deadLettered()) >= POISON, {
      timeoutMs: 30_000,
      what: "poison dead-lettered",
    });
    expect(proxy.refused).toBe(1);
    expect(await deadLettered()).toBe(POISON);
    const offsets = await withAdmin(harness.kafka, (a) => a.fetchTopicOffsets(harness.topics.deadLetter));
    expect(offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0)).toBe(POISON);
  });
});

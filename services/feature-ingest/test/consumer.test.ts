import { HOUR, MINUTE } from "@riskgate/feature-store/definitions";
import type { DomainEvent } from "@riskgate/feature-store/events";
import type { EventUpdate, OnlineStore } from "@riskgate/feature-store/online";
import { account, checkoutMessage, label, listing, payment, T0 } from "@riskgate/test-support/events";
import {
  consumedCount,
  IngestHarness,
  memoryStoreWith,
  probeFeatures,
} from "@riskgate/test-support/ingest-harness";
import { waitFor, withAdmin } from "@riskgate/test-support/services";
import { afterEach, describe, expect, it } from "vitest";
import { DLQ_HEADERS } from "../src/dead-letter.ts";

const ids = { users: ["u_1", "u_2", "u_3"], instruments: ["pi_1", "pi_2"], devices: ["d_1", "d_2"] };

/** A deterministic mix of every event type over a few entities and two hours. */
function eventStream(n: number, prefix = "e"): DomainEvent[] {
  const out: DomainEvent[] = [];
  for (let i = 0; i < n; i++) {
    const at = T0 - 2 * HOUR + i * 7_000;
    const user = ids.users[i % 3] as string;
    const pi = ids.instruments[i % 2] as string;
    const device = ids.devices[(i >> 1) % 2] as string;
    const id = `${prefix}${i}`;
    switch (i % 6) {
      case 0:
        out.push(
          payment(id, at, { user_id: user, payment_instrument_id: pi, device_id: device, status: "failed" }),
        );
        break;
      case 1:
        out.push(
          payment(id, at, { user_id: user, payment_instrument_id: pi, amount: 50 + i, status: "succeeded" }),
        );
        break;
      case 2:
        out.push(
          account(id, at, {
            user_id: user,
            device_id: device,
            type: i % 4 === 0 ? "login" : "password_reset",
          }),
        );
        break;
      case 3:
        out.push(
          listing(id, at, {
            type: i % 12 === 3 ? "listing_created" : "listing_updated",
            price_per_night: 80 + i,
          }),
        );
        break;
      case 4:
        out.push(
          label(id, at, { user_id: user, payment_instrument_id: pi, label: i % 8 === 4 ? "fraud" : "legit" }),
        );
        break;
      default:
        out.push(
          checkoutMessage(id, at, {
            user: { id: user, created_at: "2025-01-01T00:00:00Z" },
            device: { id: device, ip: "10.0.0.1" },
            payment: { instrument_id: pi, type: "card" },
          }),
        );
    }
  }
  return out;
}

let harness: IngestHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("feature-ingest on real Kafka and Redis", () => {
  it("writes the same features to Redis as the memory store fed the same events", async () => {
    harness = new IngestHarness("ingest-equal");
    await harness.createTopics();
    const events = eventStream(300);
    await harness.produce(events);
    const { metrics } = await harness.startIngest();
    await waitFor(async () => (await consumedCount(metrics)) >= events.length, {
      timeoutMs: 60_000,
      what: "all events consumed",
    });
    const expected = await probeFeatures(memoryStoreWith(events), T0, ids);
    expect(await probeFeatures(harness.store, T0, ids)).toEqual(expected);
    // The comparison means something only if the probes see real state.
    expect(expected.some((f) => (f.instrument_failed_24h ?? 0) > 0 && (f.user_checkouts_24h ?? 0) > 0)).toBe(
      true,
    );
  });

  it("loses nothing and counts nothing twice across a crash and a restart", async () => {
    const h = new IngestHarness("ingest-restart");
    harness = h;
    await h.createTopics(3);
    const first = eventStream(400, "a");
    const second = eventStream(400, "b").map((e) => ({
      ...e,
      occurred_at: new Date(Date.parse(e.occurred_at) + MINUTE).toISOString(),
    }));
    await harness.produce(first);

    // The first instance crashes after writing a batch to Redis but before committing its offsets.
    let crashed = false;
    const real = harness.store;
    const crashing: OnlineStore = {
      apply: (u) => real.apply(u),
      read: (p) => real.read(p),
      readThenApply: (p, u) => real.readThenApply(p, u),
      applyBatch: async (updates: readonly EventUpdate[]) => {
        const result = await real.applyBatch(updates);
        if (!crashed && updates.length > 0) {
          crashed = true;
          throw new Error("simulated crash between write and commit");
        }
        return result;
      },
    };
    const a = await harness.startIngest(crashing);
    await waitFor(async () => (await consumedCount(a.metrics)) >= 100, {
      timeoutMs: 60_000,
      what: "first instance progressing",
    });
    await a.ingest.stop();

    await harness.produce(second);
    const b = await harness.startIngest();
    const all = [...first, ...second];
    const expected = await probeFeatures(memoryStoreWith(all), T0 + HOUR, ids);
    await waitFor(
      async () => JSON.stringify(await probeFeatures(h.store, T0 + HOUR, ids)) === JSON.stringify(expected),
      { timeoutMs: 60_000, what: "features to converge after restart" },
    );
    expect(crashed).toBe(true);
    expect(await consumedCount(b.metrics)).toBeGreaterThan(0);
    expect(await probeFeatures(harness.store, T0 + HOUR, ids)).toEqual(expected);
  });

  it("commits every written offset when it stops, though its commit interval has not passed", async () => {
    const h = new IngestHarness("ingest-stop-commit");
    harness = h;
    await h.createTopics(3);
    const events = eventStream(300, "s");
    await h.produce(events);
    const { ingest, metrics } = await h.startIngest(h.store, { commitIntervalMs: 600_000 });
    await waitFor(async () => (await consumedCount(metrics)) >= events.length, {
      timeoutMs: 60_000,
      what: "all events consumed",
    });
    await ingest.stop();

    const topics = Object.values(h.topics.input);
    const [ends, committed] = await withAdmin(h.kafka, async (admin) => [
      await Promise.all(
        topics.map(async (t) => ({ topic: t, partitions: await admin.fetchTopicOffsets(t) })),
      ),
      await admin.fetchOffsets({ groupId: h.groupId, topics }),
    ]);
    const flat = (xs: { topic: string; partitions: { partition: number; offset: string }[] }[]) =>
      xs.flatMap((t) => t.partitions.map((p) => `${t.topic}/${p.partition}=${p.offset}`)).sort();
    expect(flat(committed)).toEqual(flat(ends));
    expect(flat(ends).some((p) => !p.endsWith("=0"))).toBe(true);
  });

  it("gives one in-order delivery's features for 1,000 duplicated, shuffled deliveries", async () => {
    harness = new IngestHarness("ingest-dups");
    await harness.createTopics(2);
    const unique = eventStream(250, "u");
    let s = 42;
    const rand = () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    const deliveries: DomainEvent[] = [...unique];
    while (deliveries.length < 1000)
      deliveries.push(unique[Math.floor(rand() * unique.length)] as DomainEvent);
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j] as DomainEvent, deliveries[i] as DomainEvent];
    }
    await harness.produce(deliveries);
    const { metrics } = await harness.startIngest();
    await waitFor(async () => (await consumedCount(metrics)) >= 1000, {
      timeoutMs: 60_000,
      what: "1,000 deliveries consumed",
    });
    expect(await probeFeatures(harness.store, T0, ids)).toEqual(
      await probeFeatures(memoryStoreWith(unique), T0, ids),
    );
    const duplicates = (await metrics.applied.get()).values
      .filter((v) => v.labels.outcome === "duplicate")
      .reduce((sum, v) => sum + v.value, 0);
    expect(duplicates).toBe(750);
  });

  it("dead-letters poison messages with the reason and keeps the partition flowing", async () => {
    harness = new IngestHarness("ingest-poison");
    await harness.createTopics();
    const good = eventStream(60, "g").filter((e) => e.type === "payment_attempt");
    const card = { ...(good[0] as DomainEvent), event_id: "card", failure_code: "4111111111111111" };
    await harness.produce([
      { topic: "payments", raw: "{not json" },
      ...good.slice(0, 5),
      { topic: "payments", raw: JSON.stringify({ ...good[1], amount: -5, event_id: "neg" }) },
      { topic: "payments", raw: JSON.stringify(card) },
      { topic: "payments", raw: JSON.stringify(account("wrong-topic", T0)) },
      ...good.slice(5),
    ]);
    const { metrics } = await harness.startIngest();
    await waitFor(async () => (await consumedCount(metrics)) >= good.length, {
      timeoutMs: 60_000,
      what: "good events after poison",
    });

    const consumer = harness.kafka.consumer({ groupId: `${harness.groupId}-dlq-reader` });
    const letters: { code: string; field: string; offset: string }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: harness.topics.deadLetter, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        letters.push({
          code: String(message.headers?.[DLQ_HEADERS.code]),
          field: String(message.headers?.[DLQ_HEADERS.field]),
          offset: String(message.headers?.[DLQ_HEADERS.offset]),
        });
      },
    });
    await waitFor(async () => letters.length >= 4, { timeoutMs: 30_000, what: "four dead letters" });
    await consumer.disconnect();
    expect(letters.map((l) => [l.code, l.field])).toEqual([
      ["invalid_json", "/"],
      ["schema_violation", "/amount"],
      ["card_number_present", "/failure_code"],
      ["unknown_event_type", "/type"],
    ]);
    const dead = (await metrics.deadLettered.get()).values.reduce((sum, v) => sum + v.value, 0);
    expect(dead).toBe(4);
  });
});

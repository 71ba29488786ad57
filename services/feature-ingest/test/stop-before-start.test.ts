// FeatureIngest stopped before its start finished. A start made after stop() (the start-up loop's
// retry) and one whose connect the broker answers only after stop() began (a TcpGate holding it) never
// join the group and never consume; stop() waits for the attempt in flight, so it does not return
// while that attempt could still start the consumer. A join the group holds past the stop's bound
// (a GroupHolder) is given up with a `timeout`, and the member still leaves once the join ends.
import { payment, T0 } from "@riskgate/test-support/events";
import { describeGroup, GroupHolder } from "@riskgate/test-support/group-holder";
import { consumedCount, IngestHarness } from "@riskgate/test-support/ingest-harness";
import { TcpGate } from "@riskgate/test-support/service-process";
import { createKafka, kafkaBrokers, waitFor } from "@riskgate/test-support/services";
import { afterEach, describe, expect, it } from "vitest";

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A harness whose topics hold one event for a consumer to find. */
async function harnessWithAnEvent(name: string): Promise<IngestHarness> {
  const h = new IngestHarness(name);
  cleanup.push(() => h.close());
  await h.createTopics();
  await h.produce([payment(`${name}-1`, T0)]);
  return h;
}

/** The client ids of the group's members (none: it never had one, or all left). */
async function members(h: IngestHarness): Promise<readonly string[]> {
  return (await describeGroup(h.kafka, h.groupId)).clients;
}

describe("FeatureIngest stopped before its start finished", () => {
  it("refuses a start made after stop(): no member joins, nothing is consumed", async () => {
    const h = await harnessWithAnEvent("stop-then-start");
    const { ingest, metrics } = h.createIngest();
    await ingest.stop();

    await expect(ingest.start()).rejects.toMatchObject({ code: "shutting_down" });
    expect(ingest.ready).toBe(false);
    expect(await members(h)).toEqual([]);
    expect(await consumedCount(metrics)).toBe(0);
  });

  it("gives up a start whose connect is answered after stop() began; stop() returns only after it", async () => {
    const h = await harnessWithAnEvent("stop-pending-connect");
    const gate = await TcpGate.reserve(kafkaBrokers()[0] as string);
    cleanup.push(() => gate.close());
    await gate.open({ hold: true });
    const { ingest, metrics } = h.createIngest({
      kafka: createKafka("stop-pending-connect", { brokers: [gate.address] }),
    });

    const order: string[] = [];
    const started = ingest.start().then(
      () => order.push("started"),
      (err: { code?: string }) => order.push(`start refused: ${err.code}`),
    );
    await waitFor(() => gate.accepted > 0, { what: "the start's first connection at the gate" });
    const stopped = ingest.stop().then(() => order.push("stopped"));
    gate.release();
    await Promise.all([started, stopped]);

    expect(order).toEqual(["start refused: shutting_down", "stopped"]);
    expect(ingest.ready).toBe(false);
    expect(await members(h)).toEqual([]);
    expect(await consumedCount(metrics)).toBe(0);
  });

  it("past its bound, rejects with `timeout` while the group holds the join, and leaves once the join ends", async () => {
    const h = await harnessWithAnEvent("stop-held-join");
    const holder = await GroupHolder.hold(h.kafka, h.groupId, Object.values(h.topics.input));
    cleanup.push(() => holder.letGo());
    const { ingest, metrics } = h.createIngest();
    const started = ingest.start().then(
      () => "started",
      (err: { code?: string }) => `start refused: ${err.code}`,
    );
    await holder.joinerHeld();

    await expect(ingest.stop()).rejects.toMatchObject({
      code: "timeout",
      message: expect.stringContaining(`still joining group ${h.groupId}`),
    });
    expect(await members(h)).toHaveLength(2);
    await holder.letGo();
    expect(await started).toBe("start refused: shutting_down");
    await waitFor(async () => (await members(h)).length === 0, {
      timeoutMs: 20_000,
      what: "the member to leave once its join ended",
    });
    expect(await consumedCount(metrics)).toBe(0);
  }, 60_000);
});

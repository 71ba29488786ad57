// A reviewer's resolve while the decision log's send is stuck on the decisions topic, through a proxy
// that holds back (a slow partition) or refuses (kafkajs retries) every produce answer for that topic.
// The label goes out on the review's own producer (kafka-producers.ts): the resolve answers at once,
// the label lands once, and so does the decision. On one producer shared with the decision log (one
// send at a time) the label waited behind the held batch, and the resolve answered 503
// labels_unavailable; between refused sends it went out, but on a new producer id that the
// decision batch then took too, and the batch was written twice. And an SLA expiry's announcement
// whose send was refused: a later sweep sends it again (it used to be dropped).
import { topicNames } from "@riskgate/feature-store/events";
import { T0 } from "@riskgate/test-support/events";
import { KafkaFaultProxy } from "@riskgate/test-support/kafka-fault-proxy";
import {
  createKafka,
  createTopics,
  deleteTopics,
  readJsonRecords,
  uniqueTopic,
  waitFor,
  withAdmin,
} from "@riskgate/test-support/services";
import { afterEach, describe, expect, it } from "vitest";
import { kafkaProducers } from "../src/kafka-producers.ts";
import type { KafkaDecisionLog } from "../src/scoring/decision-log.ts";
import { Clock, claim, openCase, resolve, reviewApi, reviewCheckout } from "./review/helpers.ts";

const admin = createKafka("producers-admin");
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const recordsOn = async (topic: string) =>
  (await withAdmin(admin, (a) => a.fetchTopicOffsets(topic))).reduce(
    (n, p) => n + Number(p.high) - Number(p.low),
    0,
  );

/** The API as run.ts wires it, every Kafka connection of its producers through a fault proxy. */
async function apiBehindProxy(name: string, opts: { now?: () => number; env?: Record<string, string> } = {}) {
  const topics = topicNames(`${uniqueTopic(name)}.`);
  await createTopics(admin, [topics.decisions, topics.input.labels]);
  cleanups.push(() => deleteTopics(admin, [topics.decisions, topics.input.labels]));
  const proxy = await KafkaFaultProxy.start();
  cleanups.push(() => proxy.close());
  // run.ts's retries; the test client's request timeout (10 s) is past the label's 5 s.
  const producers = kafkaProducers(proxy.kafka(name, { retry: { retries: 2, initialRetryTime: 100 } }), {
    allowAutoTopicCreation: false,
  });
  await Promise.all([producers.decisions.connect(), producers.review.connect()]);
  cleanups.push(async () => {
    await producers.review.disconnect();
    await producers.decisions.disconnect();
  });
  const topicPrefix = topics.decisions.slice(0, -"decisions".length);
  const h = await reviewApi(
    {
      producers,
      ...(opts.now ? { now: opts.now } : {}),
      env: { KAFKA_TOPIC_PREFIX: topicPrefix, ...opts.env },
    },
    cleanups,
  );
  return { h, proxy, topics, log: h.log as KafkaDecisionLog };
}

/** Failures of the review's side tasks (SLA expiries' announcements among them), as /metrics counts them. */
async function slaErrors(h: Awaited<ReturnType<typeof apiBehindProxy>>["h"]): Promise<number> {
  const m = await h.registry.getSingleMetric("riskgate_dependency_errors_total")?.get();
  return m?.values.find((v) => v.labels.dependency === "review_sla")?.value ?? 0;
}

/** Opens a case; once `stuck()` says its decision's send is, claims and resolves it. */
async function resolveWhileStuck(
  h: Awaited<ReturnType<typeof apiBehindProxy>>["h"],
  eventId: string,
  stuck: () => boolean,
) {
  const id = await openCase(h, reviewCheckout(eventId, T0));
  await waitFor(stuck, { what: "the decision's send stuck" });
  expect((await claim(h, id)).statusCode).toBe(200);
  return { id, res: await resolve(h, id) };
}

describe("the scoring API's Kafka producers", () => {
  it("resolves at once while a decision send waits on a slow partition; label and decision land once", async () => {
    const { h, proxy, topics, log } = await apiBehindProxy("producers-held");
    proxy.holdProduce(topics.decisions);
    let resolved: Awaited<ReturnType<typeof resolveWhileStuck>>;
    try {
      // Appended by the broker, its answer held: the decision log's send waits.
      resolved = await resolveWhileStuck(h, "pr-held", () => proxy.heldBack >= 1);
      expect(log.buffered).toBe(1); // still waiting once the resolve has answered
    } finally {
      proxy.release();
    }
    const { id, res } = resolved;
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id, status: "resolved", resolution: "fraud" });
    const labels = await readJsonRecords(admin, topics.input.labels, (rs) => rs.length > 0);
    expect(labels.map((l) => l.event_id)).toEqual([`ro_${id}`]);
    expect(await recordsOn(topics.input.labels)).toBe(1);
    await waitFor(() => log.buffered === 0, { timeoutMs: 15_000, what: "the decision batch sent" });
    expect(await recordsOn(topics.decisions)).toBe(1);
  });

  it("keeps the decision log's refused batch on its own producer id: each decision once", async () => {
    const { h, proxy, topics, log } = await apiBehindProxy("producers-refused");
    proxy.refuseNextProduce(Number.MAX_SAFE_INTEGER, topics.decisions);
    let resolved: Awaited<ReturnType<typeof resolveWhileStuck>>;
    try {
      // Refused after the append, then on kafkajs's retry: the log re-sends the same batch after.
      resolved = await resolveWhileStuck(h, "pr-refused", () => proxy.refused >= 2);
      expect(log.buffered).toBe(1);
    } finally {
      proxy.disarm();
    }
    const { id, res } = resolved;
    expect(res.statusCode, res.body).toBe(200);
    expect(await recordsOn(topics.input.labels)).toBe(1);
    expect((await readJsonRecords(admin, topics.input.labels, (rs) => rs.length > 0))[0]?.event_id).toBe(
      `ro_${id}`,
    );
    await waitFor(() => log.buffered === 0, { timeoutMs: 15_000, what: "the decision batch sent" });
    expect(await recordsOn(topics.decisions)).toBe(1);
  });

  it("announces an SLA expiry whose send was refused on a later sweep, and then no more", async () => {
    const clock = new Clock(T0);
    const { h, proxy, topics, log } = await apiBehindProxy("producers-expiry", {
      now: clock.now,
      env: { REVIEW_SLA_MINUTES: "1", REVIEW_SLA_DEFAULT_ACTION: "block", REVIEW_SLA_SWEEP_MS: "3600000" },
    });
    const id = await openCase(h, reviewCheckout("pe-1", T0));
    await waitFor(() => log.buffered === 0, { timeoutMs: 15_000, what: "the checkout's decision sent" });
    const expiries = async () =>
      (await readJsonRecords(admin, topics.decisions, (rs) => rs.length > 0)).filter(
        (r) => r.kind === "review_expired" && r.review_case_id === id,
      ).length;
    // Every answer to a send on the decisions topic refused: kafkajs retries, then the send fails.
    proxy.refuseNextProduce(Number.MAX_SAFE_INTEGER, topics.decisions);
    const refusedBefore = proxy.refused;
    clock.advance(60_000);
    expect((await h.review.worker.sweep()).map((c) => c.id)).toEqual([id]);
    // Until the worker gave the send up (its error counted), so no attempt of it is left to succeed.
    await waitFor(async () => (await slaErrors(h)) > 0, {
      timeoutMs: 20_000,
      what: "the announcement failed",
    });
    expect(proxy.refused).toBeGreaterThan(refusedBefore);
    proxy.disarm();
    // The refused answers may hide appended records (a lost acknowledgement): at least once.
    const afterFailure = await expiries();
    clock.advance(10_000);
    await h.review.worker.sweep();
    await waitFor(async () => (await expiries()) > afterFailure, {
      timeoutMs: 15_000,
      what: "the announcement sent again",
    });
    const sent = await expiries();
    clock.advance(10_000);
    await h.review.worker.sweep();
    expect(await expiries()).toBe(sent);
  });
});

// A resolution reaches Kafka as a review_outcome label, and a real FeatureIngest on the same topics
// and Redis keys turns it into the user's and the instrument's fraud history for the next checkout.

import { decodeEventBytes } from "@riskgate/feature-store/events";
import { T0 } from "@riskgate/test-support/events";
import { IngestHarness, pseudonymiser } from "@riskgate/test-support/ingest-harness";
import {
  createKafka,
  readJsonRecords,
  uniqueGroup,
  waitFor,
  withAdmin,
} from "@riskgate/test-support/services";
import { afterAll, describe, expect, it } from "vitest";
import { claim, features, openCase, REVIEWERS, resolve, reviewApi, reviewCheckout } from "./helpers.ts";

const MIN = 60_000;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("review outcomes as labels", () => {
  it("publishes the resolution to <prefix>labels and the ingest applies it to the user's features", async () => {
    const ingest = new IngestHarness("review-labels");
    cleanups.push(() => ingest.close());
    await ingest.createTopics();
    await ingest.startIngest();
    const topicPrefix = ingest.topics.decisions.slice(0, -"decisions".length);
    const h = await reviewApi(
      {
        redis: true,
        kafka: true,
        now: () => T0 + 5 * MIN,
        env: { REDIS_KEY_PREFIX: ingest.keyPrefix, KAFKA_TOPIC_PREFIX: topicPrefix },
      },
      cleanups,
    );

    const c = reviewCheckout("kl-1", T0);
    const id = await openCase(h, c);
    const probe = reviewCheckout("kl-probe", T0 + 10 * MIN, { user: c.user, payment: c.payment });
    const before = await features(h, probe);
    expect(before.user_fraud_labels).toBe(0);
    expect(before.instrument_fraud_labels).toBe(0);

    const reviewer = REVIEWERS[0] as string;
    expect((await claim(h, id, reviewer)).statusCode).toBe(200);
    const res = await resolve(h, id, { label: "fraud", note: "off-platform payment request" }, reviewer);
    expect(res.statusCode).toBe(200);

    // The label on the topic, as the consumer decodes it.
    const consumer = createKafka("labels-reader").consumer({ groupId: uniqueGroup("labels-reader") });
    const labels: unknown[] = [];
    await consumer.connect();
    cleanups.push(() => consumer.disconnect());
    await consumer.subscribe({ topic: ingest.topics.input.labels, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void labels.push(decodeEventBytes(message.value as Buffer)),
    });
    await waitFor(() => labels.length > 0, { timeoutMs: 30_000, what: "the label on the labels topic" });
    expect(labels).toEqual([
      {
        type: "review_outcome",
        event_id: `ro_${id}`,
        occurred_at: new Date(T0 + 5 * MIN).toISOString(),
        checkout_event_id: "kl-1",
        label: "fraud",
        // Pseudonyms, as the case holds them; the consumer takes them as they are.
        user_id: pseudonymiser.id("user", c.user.id),
        payment_instrument_id: pseudonymiser.id("payment_instrument", c.payment.instrument_id),
        // An unnamed key: its id names the reviewer (named keys: test/console).
        reviewer: expect.stringMatching(/^key_[0-9a-f]{8}$/),
      },
    ]);

    // The next checkout of this user and card sees the fraud history.
    await waitFor(async () => (await features(h, probe)).user_fraud_labels === 1, {
      timeoutMs: 30_000,
      what: "user_fraud_labels to reach 1",
    });
    const after = await features(h, probe);
    expect(after.instrument_fraud_labels).toBe(1);
    expect(after.user_legit_labels).toBe(0);

    // A retried resolve answers the same and publishes nothing new. A resolve answers only after its
    // label is acknowledged by the broker (acks=all), so the topic's end offsets already show it.
    expect((await resolve(h, id, { label: "fraud", note: "again" }, reviewer)).json()).toEqual(res.json());
    const published = await withAdmin(createKafka("labels-offsets"), (admin) =>
      admin.fetchTopicOffsets(ingest.topics.input.labels),
    );
    expect(published.reduce((n, p) => n + Number(p.high) - Number(p.low), 0)).toBe(1);
    expect(labels).toHaveLength(1);
    expect((await features(h, probe)).user_fraud_labels).toBe(1);
  });

  it("announces an SLA expiry on the decisions topic with the default action", async () => {
    let now = T0;
    const h = await reviewApi(
      {
        redis: true,
        kafka: true,
        now: () => now,
        env: { REVIEW_SLA_MINUTES: "1", REVIEW_SLA_DEFAULT_ACTION: "block", REVIEW_SLA_SWEEP_MS: "3600000" },
      },
      cleanups,
    );
    const id = await openCase(h, reviewCheckout("kx-1", T0));
    now += MIN;
    expect((await h.review.worker.sweep()).map((c) => c.id)).toEqual([id]);
    const records = await readJsonRecords(
      createKafka("decisions-reader"),
      `${h.topicPrefix}decisions`,
      (rs) => rs.some((r) => r.kind === "review_expired"),
    );
    expect(records.find((r) => r.kind === "review_expired")).toEqual({
      kind: "review_expired",
      event_id: "kx-1",
      review_case_id: id,
      decision: "block",
      sla_deadline: new Date(T0 + MIN).toISOString(),
      expired_at: new Date(T0 + MIN).toISOString(),
    });
  });
});

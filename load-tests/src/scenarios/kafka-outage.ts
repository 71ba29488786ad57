// The Kafka broker stopped and restarted mid-run: scoring must not notice; every decision is either
// published to the decisions topic or counted as dropped; feature-ingest resumes and applies every
// event produced around the outage.
import { Kafka, logLevel } from "kafkajs";
import { runControl } from "../checks.ts";
import { scrape, sumMetric } from "../prometheus.ts";
import type { ActionContext, CheckResult, Scenario } from "../scenario.ts";

const INGESTED = "riskgate_ingest_events_total";
const DROPPED = "riskgate_decisions_dropped_total";
const PER_BATCH = 200;

function kafka(ctx: ActionContext) {
  return new Kafka({
    clientId: "load-tests",
    brokers: (ctx.kafkaBrokers as string).split(","),
    logLevel: logLevel.NOTHING,
  });
}

async function topicEnd(ctx: ActionContext, topic: string): Promise<number> {
  const admin = kafka(ctx).admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Payment attempts with fresh ids, produced to the payments topic for feature-ingest to apply. */
async function producePayments(ctx: ActionContext, tag: string): Promise<void> {
  const producer = kafka(ctx).producer();
  await producer.connect();
  const now = new Date().toISOString();
  const messages = Array.from({ length: PER_BATCH }, (_, i) => {
    const user = `u_lt_${i % 50}`;
    const event = {
      type: "payment_attempt",
      event_id: `lt-${tag}-${Date.now().toString(36)}-${i}`,
      occurred_at: now,
      user_id: user,
      payment_instrument_id: `pi_lt_${i % 40}`,
      amount: 20 + i,
      currency: "EUR",
      status: "succeeded",
    };
    return { key: user, value: JSON.stringify(event) };
  });
  await producer.send({ topic: `${ctx.topicPrefix}payments`, messages });
  await producer.disconnect();
}

export const kafkaOutage = (): Scenario => {
  const before = { ingested: Number.NaN, dropped: Number.NaN, published: Number.NaN };
  const snapshot = async (ctx: ActionContext) => ({
    // A labelled counter has no sample until its first increment: absent reads as zero (a wrong
    // URL fails the scrape instead).
    ingested: sumMetric(await scrape(ctx.ingestMetricsUrl as string), INGESTED) || 0,
    dropped: sumMetric(await scrape(ctx.metricsUrl), DROPPED) || 0,
    published: await topicEnd(ctx, `${ctx.topicPrefix}decisions`),
  });
  return {
    name: "kafka-outage",
    description:
      "500/s for 60 s; the broker stopped at 20 s and started at 40 s (--kafka-control); payments produced before and after",
    needs: ["kafka-control", "kafka-brokers", "ingest-metrics-url"],
    stages: [{ name: "kafka-outage", rate: 500, seconds: 60 }],
    actions: [
      {
        at: 1,
        name: "baseline and first payments",
        run: async (ctx) => {
          Object.assign(before, await snapshot(ctx));
          // Checkouts sent from here on are the ones accounted for: the decisions of the first second
          // were already on the topic when the baseline read its end, so counting them as decided
          // left about a second's worth (~450) looking lost on every run.
          ctx.mark("baseline");
          await producePayments(ctx, "before");
        },
      },
      { at: 20, name: "stop Kafka", run: (ctx) => runControl(ctx.kafkaControl as string, "stop", ctx.log) },
      {
        at: 40,
        name: "start Kafka and produce again",
        run: async (ctx) => {
          await runControl(ctx.kafkaControl as string, "start", ctx.log);
          ctx.mark("kafka started");
          await producePayments(ctx, "after");
        },
      },
    ],
    thresholds: ["errors=0", "status5xx=0", "success=1", "p99<50ms"],
    checks: [
      {
        name: "every decision published or counted dropped; every payment ingested",
        run: async ({ outcomes, marks, ctx }): Promise<CheckResult> => {
          const from = marks.get("baseline") ?? Number.POSITIVE_INFINITY;
          const decided = outcomes.filter((o) => o.code === 200 && o.atMs >= from).length;
          // The decision buffer drains and the consumer catches up after the restart: wait for both.
          let after = await snapshot(ctx);
          for (let i = 0; i < 60; i++) {
            const accounted = after.published - before.published + (after.dropped - before.dropped);
            if (accounted >= decided && after.ingested - before.ingested >= 2 * PER_BATCH) break;
            await new Promise((r) => setTimeout(r, 1000));
            after = await snapshot(ctx);
          }
          const published = after.published - before.published;
          const dropped = after.dropped - before.dropped;
          const ingested = after.ingested - before.ingested;
          return {
            name: "every decision published or counted dropped; every payment ingested",
            pass: published + dropped >= decided && ingested >= 2 * PER_BATCH,
            detail: `${decided} decided after the baseline, ${published} published, ${dropped} dropped; ${ingested} of ${2 * PER_BATCH} payments ingested`,
          };
        },
      },
    ],
  };
};

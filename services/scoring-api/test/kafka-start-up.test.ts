// The scoring API's real main.ts with Kafka not there yet: it serves and scores at once, holds the
// decisions, and publishes them once the broker answers (creating its topics); /metrics on its own
// port when METRICS_PORT is set.
import { topicNames } from "@riskgate/feature-store/events";
import { bearer, TOKENS } from "@riskgate/test-support/api-harness";
import { checkout, T0 } from "@riskgate/test-support/events";
import { freePort, ServiceProcess, TcpGate } from "@riskgate/test-support/service-process";
import {
  createKafka,
  deleteTopics,
  kafkaBrokers,
  readJsonRecords,
  uniqueTopic,
  withAdmin,
} from "@riskgate/test-support/services";
import { afterEach, describe, expect, it } from "vitest";

const kafka = createKafka("api-start-up");
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe("scoring-api without Kafka at start", () => {
  it("scores at once, then creates its topics and publishes the held decisions when the broker comes", async () => {
    const gate = await TcpGate.reserve(kafkaBrokers()[0] as string);
    cleanup.push(() => gate.close());
    const topics = topicNames(`${uniqueTopic("api-start-up")}.`);
    cleanup.push(() => deleteTopics(kafka, [topics.decisions, topics.input.labels]));
    const [port, metricsPort] = [await freePort(), await freePort()];
    const api = new ServiceProcess("services/scoring-api/src/main.ts", {
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      KAFKA_BROKERS: gate.address,
      KAFKA_TOPIC_PREFIX: topics.decisions.replace(/decisions$/, ""),
      RISKGATE_API_KEYS: `score:${TOKENS.score}`,
    });
    cleanup.push(() => api.stop());
    const base = `http://127.0.0.1:${port}`;

    // Ready without waiting for the broker; the background connect says it waits (its first line
    // comes after kafkajs's own retries, a few seconds, so before or after "ready").
    await api.waitForLog("scoring-api ready");
    await api.waitForLog(/^waiting for Kafka/, 20_000);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { degraded?: string[] }).degraded).toContain("kafka");
    const body = checkout("api-start-up-1", T0);
    const scored = await fetch(`${base}/v1/score`, {
      method: "POST",
      headers: { ...bearer(TOKENS.score), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(scored.status).toBe(200);

    // /metrics only on METRICS_PORT.
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^riskgate_decisions_total/m);

    await gate.open();
    await api.waitForLog(/^Kafka connected/, 30_000);
    const records = await readJsonRecords(kafka, topics.decisions, (r) =>
      r.some((d) => d.event_id === body.event_id),
    );
    expect(records.filter((d) => d.event_id === body.event_id && d.kind === "decision")).toHaveLength(1);
    const names = await withAdmin(kafka, (admin) => admin.listTopics());
    expect(names).toEqual(expect.arrayContaining([topics.decisions, topics.input.labels]));
    const after = (await (await fetch(`${base}/readyz`)).json()) as { degraded?: string[] };
    expect(after.degraded ?? []).not.toContain("kafka");
    expect(await api.stop()).toBe(0);
  });
});

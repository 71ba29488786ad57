// Resolving a review case over HTTP, wired as main.ts wires it: only by the lease holder, the label
// published first (Kafka, or the embedded store without it), then the case closed.

import { T0 } from "@riskgate/test-support/events";
import type { Producer } from "kafkajs";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { composeScoringApi } from "../../src/compose.ts";
import { loadApiConfig } from "../../src/config.ts";
import {
  claim,
  features,
  list,
  openCase,
  REVIEW_KEYS_ENV,
  REVIEWERS,
  resolve,
  reviewApi,
  reviewCheckout,
} from "./helpers.ts";

const MIN = 60_000;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("resolving", () => {
  it("is for the lease holder only, validates the body, and is idempotent for the same label", async () => {
    const h = await reviewApi({ redis: true }, cleanups);
    const id = await openCase(h, reviewCheckout("res-1", T0));
    const [alice, bob] = REVIEWERS as [string, string];
    expect((await resolve(h, id, undefined, alice)).json().error.code).toBe("case_not_claimed");
    await claim(h, id, alice);
    expect((await resolve(h, id, undefined, bob)).json().error).toMatchObject({ code: "not_lease_holder" });
    const bad = await resolve(h, id, { label: "maybe", note: "x" }, alice);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe("/label");
    const long = await resolve(h, id, { label: "fraud", note: "x".repeat(2001) }, alice);
    expect(long.json().error.field).toBe("/note");
    const extra = await resolve(h, id, { label: "fraud", note: "x", by: "me" }, alice);
    expect(extra.statusCode).toBe(400);

    const ok = await resolve(h, id, { label: "fraud", note: "asked to pay by whatsapp" }, alice);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      id,
      status: "resolved",
      resolution: "fraud",
      note: "asked to pay by whatsapp",
      resolved_by: ok.json().claimed_by,
    });
    expect((await resolve(h, id, { label: "fraud", note: "retry" }, alice)).json()).toEqual(ok.json());
    expect((await resolve(h, id, { label: "legit", note: "changed my mind" }, alice)).json().error.code).toBe(
      "case_closed",
    );
    expect((await claim(h, id, bob)).json().error.code).toBe("case_closed");
    expect((await list(h, "?status=resolved")).json().cases.map((c: { id: string }) => c.id)).toEqual([id]);
    expect(await h.registry.getSingleMetricAsString("riskgate_review_resolutions_total")).toContain(
      'label="fraud"} 1',
    );
  });

  it("without Kafka applies the label to the embedded store, so the next checkout sees it", async () => {
    const h = await reviewApi({ now: () => T0 + MIN }, cleanups);
    const c = reviewCheckout("emb-1", T0);
    const id = await openCase(h, c);
    const probe = reviewCheckout("emb-probe", T0 + 2 * MIN, { user: c.user, payment: c.payment });
    expect((await features(h, probe)).user_fraud_labels).toBe(0);
    await claim(h, id);
    expect((await resolve(h, id)).statusCode).toBe(200);
    const after = await features(h, probe);
    expect(after.user_fraud_labels).toBe(1);
    expect(after.instrument_fraud_labels).toBe(1);
  });

  it("answers 503 labels_unavailable when Kafka refuses the label and keeps the case claimed for a retry", async () => {
    let down = true;
    const sent: unknown[] = [];
    const producer = {
      send: async (record: { topic: string; messages: { value: string }[] }) => {
        if (down) throw new Error("broker unreachable");
        if (record.topic.endsWith("labels")) sent.push(JSON.parse(record.messages[0]?.value ?? "null"));
        return [];
      },
    } as unknown as Producer;
    const config = loadApiConfig({ ...REVIEW_KEYS_ENV, KAFKA_TOPIC_PREFIX: "t.review-503." });
    const composed = await composeScoringApi({
      config,
      logger: pino({ level: "silent" }),
      registry: new Registry(),
      keys: config.apiKeys,
      producers: { decisions: producer, review: producer },
    });
    cleanups.push(async () => {
      for (const c of composed.closers) await c.close();
    });
    const h = { ...composed, prefix: "", topicPrefix: "", registry: new Registry(), close: async () => {} };
    const id = await openCase(h, reviewCheckout("k503", T0));
    expect((await claim(h, id)).statusCode).toBe(200);
    const failed = await resolve(h, id);
    expect(failed.statusCode).toBe(503);
    expect(failed.json().error.code).toBe("labels_unavailable");
    expect((await list(h, "?status=claimed")).json().cases.map((c: { id: string }) => c.id)).toEqual([id]);
    down = false;
    const ok = await resolve(h, id);
    expect(ok.statusCode).toBe(200);
    expect(sent).toEqual([
      expect.objectContaining({
        type: "review_outcome",
        event_id: `ro_${id}`,
        label: "fraud",
        checkout_event_id: "k503",
      }),
    ]);
  });
});

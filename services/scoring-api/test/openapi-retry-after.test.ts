// The 503s of the OpenAPI document against the API's real answers: each is provoked (a Redis that
// refuses connections, admission shedding, a Kafka producer never connected, a replica shutting
// down), and Retry-After is declared exactly where it is sent.
import { type ApiHarness, bearer, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { account, checkout, T0 } from "@riskgate/test-support/events";
import type { LightMyRequestResponse } from "fastify";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Json, openApiDocument, operationsOf } from "./openapi-document.ts";
import { freePort } from "./resilience/own-redis.ts";
import {
  claim,
  openCase,
  REVIEW_KEYS_ENV,
  resolve as resolveCase,
  reviewCheckout,
} from "./review/helpers.ts";

describe("OpenAPI document: Retry-After on 503", () => {
  let api: ApiHarness;
  let doc: Json;
  const operations = () => operationsOf(doc);

  beforeAll(async () => {
    api = await startApi();
    doc = await openApiDocument(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  it("declares Retry-After, in integer seconds, on exactly the 503s answered with it", async () => {
    // Every 503 the document lists is answered for real: a Redis that refuses connections (the
    // feature and kill-switch stores), admission shedding at a pinned loop lag, a Kafka producer not
    // connected (the labels topic), a replica shutting down. What each answer carries must be
    // what the document declares for it: Retry-After, or no header.
    let lag = 0;
    const outage = await startApi({
      redisUrl: `redis://127.0.0.1:${await freePort()}`,
      env: { ADMISSION_RETRY_AFTER_SECONDS: "7" },
      lagProbe: { lagMs: () => lag },
    });
    // Never connected, so it refuses every send, as main.ts's does while Kafka is still connecting.
    const producer = new Kafka({ brokers: ["127.0.0.1:9"], logLevel: logLevel.NOTHING }).producer();
    const reviews = await startApi({
      producers: { decisions: producer, review: producer },
      env: REVIEW_KEYS_ENV,
    });
    // Not ready only while it stops (a Redis outage only degrades): the first shutdown step's state.
    const stopping = await startApi();
    stopping.drain.begin();
    try {
      const send = (
        h: ApiHarness,
        method: "GET" | "POST" | "PUT",
        url: string,
        token: string,
        body?: object,
      ) =>
        h.app.inject({
          method,
          url,
          headers: { ...bearer(token), ...(body ? { "content-type": "application/json" } : {}) },
          ...(body ? { payload: body } : {}),
        });
      const caseId = await openCase(reviews, reviewCheckout("oa-503", T0));
      expect((await claim(reviews, caseId)).statusCode).toBe(200);
      const change = { engaged: true, reason: "probe during an outage" };
      const provoke: Record<string, () => Promise<LightMyRequestResponse>> = {
        "POST /v1/score": async () => {
          lag = 60_000;
          try {
            return await send(outage, "POST", "/v1/score", TOKENS.score, checkout("oa-shed", T0));
          } finally {
            lag = 0;
          }
        },
        "POST /v1/features": () =>
          send(outage, "POST", "/v1/features", TOKENS.score, checkout("oa-read", T0)),
        "POST /v1/events": () => send(outage, "POST", "/v1/events", TOKENS.admin, account("oa-event", T0)),
        "PUT /v1/admin/kill-switch": () => send(outage, "PUT", "/v1/admin/kill-switch", TOKENS.admin, change),
        "PUT /v1/admin/models/{version}/kill-switch": () =>
          send(
            outage,
            "PUT",
            `/v1/admin/models/${outage.router.champion.version}/kill-switch`,
            TOKENS.admin,
            change,
          ),
        "GET /v1/admin/audit": () => send(outage, "GET", "/v1/admin/audit", TOKENS.admin),
        "POST /v1/review/cases/{id}/resolve": () => resolveCase(reviews, caseId),
        "GET /readyz": () => stopping.app.inject({ method: "GET", url: "/readyz" }),
      };
      const with503 = operations().filter(({ op }) => "503" in (op.responses as Json));
      // A 503 added to the document without a way to answer it here fails, and so does a stale entry.
      expect(with503.map((o) => o.key).sort()).toEqual(Object.keys(provoke).sort());
      for (const { key, op } of with503) {
        const res = await (provoke[key] as () => Promise<LightMyRequestResponse>)();
        expect(res.statusCode, `${key}: ${res.body}`).toBe(503);
        const declared = ((op.responses as Json)["503"] as Json).headers;
        const sent = res.headers["retry-after"];
        if (sent === undefined) {
          expect(declared, `${key} declares a header it does not send`).toBeUndefined();
          continue;
        }
        expect(declared, `${key} answers Retry-After: ${sent} but does not declare it`).toEqual({
          "Retry-After": { schema: { type: "integer", minimum: 1 }, description: expect.any(String) },
        });
        expect(sent, key).toBe("7");
      }
    } finally {
      outage.redis?.disconnect(); // quit() needs a live server
      await outage.close().catch(() => {});
      await reviews.close();
      await stopping.close();
    }
  });
});

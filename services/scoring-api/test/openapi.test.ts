// The published OpenAPI document is valid OpenAPI 3.1 and describes the API as the service enforces
// it: the checkout contract (unknown fields rejected), the error responses with their one error
// shape, bearer keys, for every route every status that bad or unauthorised requests get, and the
// Retry-After header on exactly the 503s answered with it.

import SwaggerParser from "@apidevtools/swagger-parser";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Checkout } from "@riskgate/feature-store/events";
import { type ApiHarness, bearer, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { account, checkout, T0 } from "@riskgate/test-support/events";
import Fastify, { type LightMyRequestResponse } from "fastify";
import { Kafka, logLevel } from "kafkajs";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { healthRoutes } from "../src/routes/health.ts";
import { ErrorBody } from "../src/routes/schemas.ts";
import { freePort } from "./resilience/own-redis.ts";
import {
  claim,
  openCase,
  REVIEW_KEYS_ENV,
  resolve as resolveCase,
  reviewCheckout,
} from "./review/helpers.ts";

type Json = Record<string, unknown>;

describe("OpenAPI document and docs page", () => {
  let api: ApiHarness;
  let doc: Json;

  /** Follows a local `#/components/...` reference, if the schema is one. */
  function resolve(schema: Json): Json {
    const ref = schema.$ref;
    if (typeof ref !== "string") return schema;
    expect(ref).toMatch(/^#\//);
    let cur: unknown = doc;
    for (const part of ref.slice(2).split("/")) cur = (cur as Json)[part];
    expect(cur, `unresolvable ${ref}`).toBeTypeOf("object");
    return resolve(cur as Json);
  }

  /**
   * A JSON schema without the keywords that only name, describe or exemplify it (fastify-swagger
   * moves `examples` to the media type); OpenAPI 3.0 spells `const` as a one-value `enum`.
   */
  function shape(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map(shape);
    if (schema === null || typeof schema !== "object") return schema;
    const out: Json = {};
    for (const [k, v] of Object.entries(resolve(schema as Json))) {
      if (["$id", "title", "description", "examples"].includes(k)) continue;
      if (k === "const") {
        out.enum = [v];
        continue;
      }
      out[k] =
        k === "properties"
          ? Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, shape(s)]))
          : shape(v);
    }
    return out;
  }

  const score = () => ((doc.paths as Json)["/v1/score"] as Json).post as Json;
  const operations = () =>
    Object.entries(doc.paths as Record<string, Record<string, Json>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        path,
        method,
        op,
        key: `${method.toUpperCase()} ${path}`,
      })),
    );
  const jsonSchema = (holder: Json) =>
    resolve(((holder.content as Json)["application/json"] as Json).schema as Json);

  beforeAll(async () => {
    api = await startApi();
    const res = await api.app.inject({ method: "GET", url: "/docs/json" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    doc = res.json();
  });
  afterAll(async () => {
    await api?.close();
  });

  it("is a valid OpenAPI 3.1 document listing POST /v1/score", async () => {
    // 3.1, because TypeBox writes JSON Schema 2020-12 (a numeric exclusiveMinimum, null as a type).
    expect(doc.openapi).toBe("3.1.0");
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTypeOf("object");
    expect((doc.info as Json).title).toBe("riskgate");
    expect(score()).toBeTypeOf("object");
    expect(score().summary).toBe("Score a checkout");
  });

  it("documents the checkout contract as the request body, unknown fields rejected", () => {
    const body = score().requestBody as Json;
    expect(body.required).toBe(true);
    const schema = jsonSchema(body);
    expect(schema.type).toBe("object");
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties as Json).sort()).toEqual(Object.keys(Checkout.properties).sort());
    expect([...(schema.required as string[])].sort()).toEqual([...(Checkout.required ?? [])].sort());
    // Nested objects are closed too, and the field constraints are the decoder's.
    const props = schema.properties as Record<string, Json>;
    for (const name of ["user", "device", "payment", "listing", "booking", "message"]) {
      expect(resolve(props[name] as Json).additionalProperties, name).toBe(false);
    }
    const booking = resolve(props.booking as Json).properties as Record<string, Json>;
    expect(booking.amount).toMatchObject({ type: "number", exclusiveMinimum: 0, maximum: 10_000_000 });
    expect(booking.nights).toMatchObject({ type: "integer", minimum: 1, maximum: 365 });
    expect(shape(schema)).toEqual(shape(JSON.parse(JSON.stringify(Checkout))));
  });

  it("documents 200 and the 400/401/403/409/413/415 errors, each with the ErrorBody shape", () => {
    const responses = score().responses as Record<string, Json>;
    expect(Object.keys(responses)).toEqual(
      expect.arrayContaining(["200", "400", "401", "403", "409", "413", "415"]),
    );
    const decision = jsonSchema(responses["200"] as Json);
    expect(Object.keys(decision.properties as Json)).toEqual(
      expect.arrayContaining([
        "event_id",
        "decision",
        "score",
        "reasons",
        "model",
        "feature_set",
        "rules_version",
      ]),
    );
    const errorShape = shape(JSON.parse(JSON.stringify(ErrorBody)));
    for (const status of ["400", "401", "403", "409", "413", "415"]) {
      expect(shape(jsonSchema(responses[status] as Json)), status).toEqual(errorShape);
    }
    const field = ((jsonSchema(responses["400"] as Json).properties as Json).error as Json)
      .properties as Json;
    expect(Object.keys(field)).toEqual(expect.arrayContaining(["code", "message", "field"]));
  });

  it("declares a bearer security scheme and requires it on POST /v1/score", () => {
    const schemes = (doc.components as Json).securitySchemes as Record<string, Json>;
    const bearerName = Object.entries(schemes).find(
      ([, s]) => s.type === "http" && s.scheme === "bearer",
    )?.[0];
    expect(bearerName).toBeDefined();
    expect(score().security).toEqual([{ [bearerName as string]: [] }]);
  });

  it("documents, for every route, every status that bad or unauthorised requests get", async () => {
    expect(operations().length).toBeGreaterThanOrEqual(15);
    const undocumented: string[] = [];
    for (const { path, method, op } of operations()) {
      const documented = Object.keys(op.responses as Json);
      const url = path.replace(/\{[^}]+\}/g, "probe_unknown");
      const hasQuery = ((op.parameters as Json[] | undefined) ?? []).some((p) => p.in === "query");
      const sendsBody = method === "post" || method === "put";
      const json = { "content-type": "application/json" };
      const variants: {
        label: string;
        headers?: Record<string, string>;
        payload?: string;
        query?: string;
      }[] = [
        { label: "as is" },
        ...(hasQuery
          ? [
              { label: "out-of-range query", query: "?limit=0" },
              { label: "unknown query value", query: "?limit=abc&status=sideways" },
            ]
          : []),
        ...(sendsBody
          ? [
              { label: "empty object", headers: json, payload: "{}" },
              { label: "null", headers: json, payload: "null" },
              { label: "not JSON", headers: json, payload: "{nope" },
              { label: "text/plain", headers: { "content-type": "text/plain" }, payload: "{}" },
              {
                label: "over the body limit",
                headers: json,
                payload: JSON.stringify({ x: "x".repeat(2 ** 20) }),
              },
            ]
          : []),
      ];
      const seen = new Set<string>();
      for (const authorization of [undefined, TOKENS.score, TOKENS.review, TOKENS.admin]) {
        for (const v of variants) {
          const res = await api.app.inject({
            method: method.toUpperCase() as "GET",
            url: `${url}${v.query ?? ""}`,
            headers: { ...(authorization ? bearer(authorization) : {}), ...v.headers },
            ...(v.payload === undefined ? {} : { payload: v.payload }),
          });
          const status = String(res.statusCode);
          seen.add(status);
          if (!documented.includes(status)) {
            undocumented.push(`${method.toUpperCase()} ${path} (${v.label}) answered ${status}: ${res.body}`);
          }
        }
      }
      // The probes reached what they aim at, so an empty list below means something.
      // A route open to every valid key (GET /v1/console/session) has no scope to refuse: 401 only.
      const scoped = documented.includes("403");
      if (op.security) {
        expect([...seen], `${method} ${path}`).toEqual(
          expect.arrayContaining(scoped ? ["401", "403"] : ["401"]),
        );
      }
      if (sendsBody) expect([...seen], `${method} ${path}`).toEqual(expect.arrayContaining(["413", "415"]));
      if (hasQuery || op.requestBody) expect([...seen], `${method} ${path}`).toContain("400");
    }
    expect(undocumented).toEqual([]);
  });

  it("declares Retry-After, in integer seconds, on exactly the 503s answered with it", async () => {
    // Every 503 the document lists is answered for real: a Redis that refuses connections (the
    // feature and kill-switch stores), admission shedding at a pinned loop lag, a Kafka producer not
    // connected (the labels topic), a readiness with a problem. What each answer carries must be
    // what the document declares for it: Retry-After, or no header.
    let lag = 0;
    const outage = await startApi({
      redisUrl: `redis://127.0.0.1:${await freePort()}`,
      env: { ADMISSION_RETRY_AFTER_SECONDS: "7" },
      lagProbe: { lagMs: () => lag },
    });
    // Never connected, so it refuses every send, as main.ts's does while Kafka is still connecting.
    const producer = new Kafka({ brokers: ["127.0.0.1:9"], logLevel: logLevel.NOTHING }).producer();
    const reviews = await startApi({ producer, env: REVIEW_KEYS_ENV });
    // The composed app's readiness reports no problem (a Redis outage only degrades): the route alone.
    const notReady = Fastify().withTypeProvider<TypeBoxTypeProvider>();
    healthRoutes(notReady, {
      readiness: { problems: async () => ["no model loaded"] },
      registry: new Registry(),
      metricsRoute: false,
    });
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
        "GET /readyz": () => notReady.inject({ method: "GET", url: "/readyz" }),
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
      await notReady.close();
    }
  });

  it("serves the docs page as HTML", async () => {
    let res = await api.app.inject({ method: "GET", url: "/docs" });
    for (let hops = 0; hops < 3 && res.statusCode >= 300 && res.statusCode < 400; hops++) {
      const location = new URL(String(res.headers.location), "http://localhost/docs").pathname;
      res = await api.app.inject({ method: "GET", url: location });
    }
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.body).toMatch(/<html/i);
  });
});

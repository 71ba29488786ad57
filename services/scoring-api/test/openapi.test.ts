// The published OpenAPI document is valid OpenAPI 3.1 and describes the API as the service enforces
// it: the checkout contract (unknown fields rejected), the error responses with their one error
// shape, bearer keys, and for every route every status that bad or unauthorised requests get
// (its 503s and their Retry-After: openapi-retry-after.test.ts).

import SwaggerParser from "@apidevtools/swagger-parser";
import { Checkout } from "@riskgate/feature-store/events";
import { type ApiHarness, bearer, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorBody } from "../src/routes/schemas.ts";
import { type Json, openApiDocument, operationsOf } from "./openapi-document.ts";

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
  const operations = () => operationsOf(doc);
  const jsonSchema = (holder: Json) =>
    resolve(((holder.content as Json)["application/json"] as Json).schema as Json);

  beforeAll(async () => {
    api = await startApi();
    doc = await openApiDocument(api);
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

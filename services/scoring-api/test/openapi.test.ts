// The published OpenAPI document describes POST /v1/score as the service enforces it: the checkout
// contract (unknown fields rejected), the error responses with their one error shape, bearer keys.

import { Checkout } from "@riskgate/feature-store/events";
import { type ApiHarness, startApi } from "@riskgate/test-support/api-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorBody } from "../src/routes/schemas.ts";

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

  /** A JSON schema without the keywords that only name or describe it; OpenAPI 3.0 spells `const` as a one-value `enum`. */
  function shape(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map(shape);
    if (schema === null || typeof schema !== "object") return schema;
    const out: Json = {};
    for (const [k, v] of Object.entries(resolve(schema as Json))) {
      if (["$id", "title", "description"].includes(k)) continue;
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

  it("is an OpenAPI 3 document listing POST /v1/score", () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
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

  it("documents 200 and the 400/401/403/409/413 errors, each with the ErrorBody shape", () => {
    const responses = score().responses as Record<string, Json>;
    expect(Object.keys(responses)).toEqual(
      expect.arrayContaining(["200", "400", "401", "403", "409", "413"]),
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
    for (const status of ["400", "401", "403", "409", "413"]) {
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

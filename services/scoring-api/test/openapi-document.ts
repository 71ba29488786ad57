import type { ApiHarness } from "@riskgate/test-support/api-harness";
import { expect } from "vitest";

export type Json = Record<string, unknown>;

/** The OpenAPI document the API serves at /docs/json. */
export async function openApiDocument(api: ApiHarness): Promise<Json> {
  const res = await api.app.inject({ method: "GET", url: "/docs/json" });
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  return res.json();
}

/** Every operation of the document, keyed `METHOD /path` as the document spells the path. */
export function operationsOf(doc: Json) {
  return Object.entries(doc.paths as Record<string, Record<string, Json>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      path,
      method,
      op,
      key: `${method.toUpperCase()} ${path}`,
    })),
  );
}

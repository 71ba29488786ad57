// Fastify's own client errors answer in the one error shape and name the field at fault (the
// Schemathesis run holds every 4xx to that: infra/dev/fuzz-api.sh).
import { type ApiHarness, startApi } from "@riskgate/test-support/api-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

describe("Fastify's client errors", () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  it("names the content-type header when a method that needs one comes without it", async () => {
    // QUERY carries a body, so Fastify wants its type before it even looks for a route.
    const res = await api.app.inject({ method: "QUERY", url: "/healthz" });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: { code: "bad_request", message: expect.any(String), field: "content-type" },
    });
  });
});

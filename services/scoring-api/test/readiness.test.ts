// /readyz of the composed service (compose.ts, as main.ts wires it): ready while it serves, not
// ready from the first shutdown step on, with the answer the OpenAPI document shows for a 503; the
// other routes answer as before. The real process under SIGTERM: drain.test.ts.
import { type ApiHarness, scoreOk, startApi } from "@riskgate/test-support/api-harness";
import { checkout, T0 } from "@riskgate/test-support/events";
import { afterEach, describe, expect, it } from "vitest";
import { type Json, openApiDocument } from "./openapi-document.ts";

let api: ApiHarness | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const readyz = (h: ApiHarness) => h.app.inject({ method: "GET", url: "/readyz" });

/** The document's example of a 503 from GET /readyz. */
function documented503(doc: Json): unknown {
  const get = ((doc.paths as Json)["/readyz"] as Json).get as Json;
  const response = (get.responses as Json)["503"] as Json;
  return ((response.content as Json)["application/json"] as Json).example;
}

describe("GET /readyz", () => {
  it("answers 503 shutting_down, as documented, once the drain begins, while checkouts are still scored", async () => {
    api = await startApi();
    const serving = await readyz(api);
    expect(serving.statusCode).toBe(200);
    expect(serving.json()).toEqual({ ready: true, problems: [] });
    api.drain.begin();
    const res = await readyz(api);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ ready: false, problems: ["shutting_down"] });
    expect(res.json()).toEqual(documented503(await openApiDocument(api)));
    expect(["allow", "review", "block"]).toContain(
      (await scoreOk(api, checkout("ready-drain", T0))).decision,
    );
  });

  it("turns not ready in the first shutdown step, before anything closes", async () => {
    api = await startApi();
    await api.closers[0]?.close();
    const res = await readyz(api);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ ready: false, problems: ["shutting_down"] });
    expect((await scoreOk(api, checkout("ready-first-step", T0))).decision).toBeDefined();
  });
});

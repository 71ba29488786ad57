// The kill-switch without Redis: one instance, the same admin API, state in process memory.
import { afterAll, describe, expect, it } from "vitest";
import { ADMIN_ID, api, get, put, score } from "./helpers.ts";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("embedded mode (no Redis)", () => {
  it("works for a single instance with the same API", async () => {
    const h = await api(cleanups);
    expect((await get(h, "/v1/admin/kill-switch")).json()).toMatchObject({
      engaged: false,
      store: "memory",
      stale: false,
    });
    expect((await score(h)).mode).toBe("normal");
    const res = await put(h, { engaged: true, reason: "embedded drill" });
    expect(res.json()).toMatchObject({ engaged: true, actor: ADMIN_ID, version: 1, mode: "rules_only" });
    expect(await score(h)).toMatchObject({ mode: "rules_only", model: null });
    await put(h, { engaged: false, reason: "embedded drill over" });
    expect((await score(h)).mode).toBe("normal");
    const audit = (await get(h, "/v1/admin/audit")).json().entries;
    expect(audit.map((e: { engaged: boolean; reason: string }) => [e.engaged, e.reason])).toEqual([
      [false, "embedded drill over"],
      [true, "embedded drill"],
    ]);
    const models = (await get(h, "/v1/admin/models")).json().models;
    expect(models).toEqual([
      expect.objectContaining({
        role: "champion",
        serving: true,
        kill_switch: expect.objectContaining({ version: 0 }),
      }),
    ]);
  });
});

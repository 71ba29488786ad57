// Scenarios with side actions on the running system: the kill-switch through the admin API, and
// Redis stopped and restarted by the command the user names.
import { runControl, settles } from "../checks.ts";
import type { ActionContext, Scenario } from "../scenario.ts";

async function setKillSwitch(ctx: ActionContext, engaged: boolean): Promise<void> {
  // Marked as the request leaves: the API applies the change before its answer is back, so a mark
  // taken on the answer put the checkouts scored in between (already released, normal) inside the
  // "engaged" window, and the check failed on an API that flipped at once.
  ctx.mark(engaged ? "engaged" : "released");
  const res = await fetch(`${ctx.baseUrl}/v1/admin/kill-switch`, {
    method: "PUT",
    headers: { "content-type": "application/json", authorization: `Bearer ${ctx.adminKey}` },
    body: JSON.stringify({
      engaged,
      reason: `load-tests kill-switch scenario (${engaged ? "engage" : "release"})`,
    }),
    signal: AbortSignal.timeout(5_000),
  });
  if (res.status !== 200) throw new Error(`PUT /v1/admin/kill-switch: ${res.status} ${await res.text()}`);
}

export const killSwitch = (): Scenario => ({
  name: "kill-switch",
  description: "500/s for 60 s; the global kill-switch engaged at 20 s and released at 40 s",
  needs: ["admin-key"],
  stages: [{ name: "kill-switch", rate: 500, seconds: 60 }],
  actions: [
    { at: 20, name: "engage the kill-switch", run: (ctx) => setKillSwitch(ctx, true) },
    { at: 40, name: "release the kill-switch", run: (ctx) => setKillSwitch(ctx, false) },
  ],
  thresholds: ["errors=0", "status5xx=0", "success=1", "p99<50ms"],
  checks: [
    settles({
      name: "model out within 1 s of engaging",
      after: "engaged",
      until: "released",
      withinMs: 1000,
      // A feature read past its budget answers `degraded` whatever the switch says: the switch has
      // flipped when no answer is decided by the model any more.
      want: "not normal",
      predicate: (o) => o.mode !== null && o.mode !== "normal",
    }),
    settles({
      name: "model back within 1 s of releasing",
      after: "released",
      withinMs: 1000,
      want: "not rules_only",
      predicate: (o) => o.mode !== null && o.mode !== "rules_only",
    }),
  ],
});

export const redisOutage = (): Scenario => ({
  name: "redis-outage",
  description: "500/s for 60 s; Redis stopped at 20 s and started again at 35 s (--redis-control)",
  needs: ["redis-control"],
  stages: [{ name: "redis-outage", rate: 500, seconds: 60 }],
  actions: [
    {
      at: 20,
      name: "stop Redis",
      run: async (ctx) => {
        ctx.mark("redis stopping");
        await runControl(ctx.redisControl as string, "stop", ctx.log);
        ctx.mark("redis stopped");
      },
    },
    {
      at: 35,
      name: "start Redis",
      run: async (ctx) => {
        await runControl(ctx.redisControl as string, "start", ctx.log);
        ctx.mark("redis started");
      },
    },
  ],
  // Never a 5xx for a valid request while the process is alive (DESIGN.md, "Degrading, not failing").
  thresholds: ["errors=0", "status5xx=0", "success=1", "p99<200ms"],
  checks: [
    settles({
      name: "degraded while Redis is down",
      after: "redis stopped",
      until: "redis started",
      withinMs: 1000,
      want: "degraded",
      predicate: (o) => o.mode === "degraded",
    }),
    settles({
      name: "normal within 2 s of the restart",
      after: "redis started",
      withinMs: 2000,
      want: "normal",
      predicate: (o) => o.mode === "normal",
      tolerance: 0.01,
    }),
  ],
});

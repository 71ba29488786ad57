// The backtest's decision replay (bin/replay-decisions.ts) must decide every checkout of a world as
// POST /v1/score does for the same events, features and scores: with the model, with the model
// switched off (rules alone), and with the day's review budget running out.

import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { LogEntry } from "@riskgate/feature-store/backfill";
import { FEATURES, FeatureSet, toEur } from "@riskgate/feature-store/definitions";
import { update } from "@riskgate/feature-store/update";
import { bearer, pseudonymiser, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { backfilledWorld } from "@riskgate/test-support/backfilled-world";
import type { Generated } from "@riskgate/test-support/simulated-world";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { championDir } from "../../src/model/champion.ts";
import { loadManifest } from "../../src/model/manifest.ts";
import { OnnxModel } from "../../src/model/onnx-model.ts";

const run = promisify(execFile);
const features = new FeatureSet(FEATURES);
const CAPACITY = 2;
const DEFAULT_RULES = new URL("../../rules/default.yaml", import.meta.url);

/** The production rules plus amount rules that fire on a small world, so every rule action occurs. */
async function writeRules(path: string) {
  const doc = parse(await readFile(DEFAULT_RULES, "utf8")) as { version: string; rules: unknown[] };
  const rule = (id: string, action: string, condition: string) => ({
    id,
    description: `replay test: ${action} on amount`,
    action,
    status: "active",
    condition,
    reason: { code: id.toLowerCase().replaceAll("-", "_"), detail: "EUR {features.booking_amount_eur}" },
  });
  doc.version = `${doc.version}+replay-test`;
  doc.rules.push(
    rule("R-TEST-ALLOW-SMALL", "allow", "features.booking_amount_eur < 70.0"),
    rule("R-TEST-BLOCK-LARGE", "block", "features.booking_amount_eur >= 1500.0"),
    rule("R-TEST-REVIEW-MID", "review", "features.booking_amount_eur >= 900.0"),
  );
  await writeFile(path, stringify(doc));
}

let world: Generated;
let log: LogEntry[];
let policy: {
  chargebackFeeEur: number;
  reviewCostEur: number;
  declineCostEur: number;
  reviewMinExpectedLossEur: number;
};
let replayed: Map<string, Map<string, { decision: string; overflow: boolean }>>;

beforeAll(async () => {
  let rows: Map<string, number[]>;
  ({ world, log, rows } = await backfilledWorld(features, { seed: 11, days: 3, checkoutsPerDay: 80 }));
  const dir = await championDir("models/artifacts/champion.json");
  const model = await OnnxModel.load(dir, await loadManifest(dir, features));
  const ids = [...rows.keys()];
  const scores = (await model.predict(ids.map((id) => rows.get(id) as number[]))).map((p) => p.calibrated);
  await model.close();
  // A cost model inside this world's expected losses, so all three decisions and overflow days occur:
  // blocks where p x (amount + fee) passes its 97th percentile, reviews past the 85th.
  const amounts = new Map<string, number>();
  for (const { event } of log) {
    if (event.type === "checkout")
      amounts.set(event.event_id, toEur(event.booking.amount, event.booking.currency));
  }
  const fee = 25;
  const loss = ids
    .map((id, i) => (scores[i] as number) * ((amounts.get(id) as number) + fee))
    .sort((a, b) => a - b);
  const at = (q: number) => loss[Math.floor(q * (loss.length - 1))] as number;
  policy = {
    chargebackFeeEur: fee,
    declineCostEur: at(0.97),
    reviewCostEur: Math.max(4, at(0.97)) + 1,
    reviewMinExpectedLossEur: at(0.85),
  };
  await writeFile(
    join(world.dir, "scores.csv"),
    `event_id,score\n${ids.map((id, i) => `${id},${scores[i]}`).join("\n")}\n`,
  );
  await writeFile(
    join(world.dir, "systems.json"),
    JSON.stringify({ systems: [{ name: "rules" }, { name: "model", scores: "scores.csv", policy }] }),
  );
  await writeRules(join(world.dir, "rules.yaml"));
  const out = join(world.dir, "decisions.csv");
  await run(process.execPath, [
    "services/scoring-api/bin/replay-decisions.ts",
    ...[
      "--checkouts",
      join(world.dir, "checkouts.jsonl"),
      "--features",
      join(world.dir, "table/training.csv"),
    ],
    ...["--systems", join(world.dir, "systems.json"), "--out", out, "--review-capacity", String(CAPACITY)],
    ...["--rules", join(world.dir, "rules.yaml")],
  ]);
  replayed = new Map();
  const [header, ...lines] = (await readFile(out, "utf8")).trim().split("\n");
  expect(header).toBe("system,event_id,occurred_at,rule,pipeline,decision,score,overflow");
  for (const line of lines) {
    const [system, id, , , , decision, , overflow] = line.split(",") as string[];
    if (!replayed.has(system as string)) replayed.set(system as string, new Map());
    replayed
      .get(system as string)
      ?.set(id as string, { decision: decision as string, overflow: overflow === "1" });
  }
}, 120_000);

afterAll(async () => {
  await world?.cleanup();
});

/** Every event into the API's store in replay order, every checkout over HTTP on its own clock. */
async function serve(modelOff: boolean): Promise<Map<string, { decision: string; reasons: string[] }>> {
  let clock = Date.parse(log[0]?.event.occurred_at ?? "2026-01-01T00:00:00Z");
  const api = await startApi({
    env: {
      CHARGEBACK_FEE_EUR: String(policy.chargebackFeeEur),
      REVIEW_COST_EUR: String(policy.reviewCostEur),
      DECLINE_COST_EUR: String(policy.declineCostEur),
      REVIEW_MIN_EXPECTED_LOSS_EUR: String(policy.reviewMinExpectedLossEur),
      REVIEW_CAPACITY_PER_DAY: String(CAPACITY),
      REVIEW_OVERFLOW_ACTION: "expected_loss",
      RULES_FILE: join(world.dir, "rules.yaml"),
    },
    now: () => clock,
  });
  const served = new Map<string, { decision: string; reasons: string[] }>();
  try {
    if (modelOff) {
      const res = await api.app.inject({
        method: "PUT",
        url: "/v1/admin/kill-switch",
        headers: bearer(TOKENS.admin),
        payload: { engaged: true, reason: "replay test: rules alone" },
      });
      expect(res.statusCode).toBe(200);
    }
    for (const { event, t, source } of log) {
      if (event.type !== "checkout") {
        // As the consumer writes them: identifiers pseudonymised, as the API does to the checkouts.
        await api.store.apply(update(pseudonymiser.event(event, source)));
        continue;
      }
      clock = t;
      const { type: _type, ...body } = event;
      const res = await api.app.inject({
        method: "POST",
        url: "/v1/score",
        headers: bearer(TOKENS.score),
        payload: body,
      });
      expect(res.statusCode).toBe(200);
      const json = res.json();
      expect(json.mode).toBe(modelOff ? "rules_only" : "normal");
      served.set(event.event_id, {
        decision: json.decision,
        reasons: json.reasons.map((r: { code: string }) => r.code),
      });
    }
  } finally {
    await api.close();
  }
  return served;
}

describe("replay-decisions", () => {
  it("decides every checkout with the model as POST /v1/score does, overflow included", async () => {
    const served = await serve(false);
    const replay = replayed.get("model");
    expect(replay?.size).toBe(served.size);
    for (const [id, s] of served) {
      expect(replay?.get(id)?.decision, id).toBe(s.decision);
      expect(replay?.get(id)?.overflow, id).toBe(s.reasons.includes("REVIEW_CAPACITY_SPENT"));
    }
    const decisions = [...served.values()].map((s) => s.decision);
    expect(new Set(decisions)).toEqual(new Set(["allow", "review", "block"]));
    expect([...(replay?.values() ?? [])].filter((d) => d.overflow).length).toBeGreaterThan(0);
  }, 120_000);

  it("decides every checkout on rules alone as the API does with the model switched off", async () => {
    const served = await serve(true);
    const replay = replayed.get("rules");
    expect(replay?.size).toBe(served.size);
    for (const [id, s] of served) {
      expect(replay?.get(id)?.decision, id).toBe(s.decision);
      expect(replay?.get(id)?.overflow, id).toBe(s.reasons.includes("REVIEW_CAPACITY_SPENT"));
    }
    expect(new Set([...served.values()].map((s) => s.decision))).toEqual(
      new Set(["allow", "review", "block"]),
    );
  }, 120_000);
});

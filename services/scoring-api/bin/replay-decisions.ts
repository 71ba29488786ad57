// Decision replay for the backtest (models/training/riskgate_training/backtest.py): recorded
// checkouts, their backfilled feature rows and calibrated scores go through the serving decision
// code, one decision per checkout and system. Usage: --help.
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FEATURES, FeatureSet } from "@riskgate/feature-store/definitions";
import type { PolicyCosts } from "../src/decision/types.ts";
import { ReplayInputError, readCheckouts, readFeatureRows, readScores } from "../src/replay/inputs.ts";
import { type ReplaySystem, replayDecisions } from "../src/replay/replay.ts";
import { loadRules, RuleEngine } from "../src/rules/index.ts";

const USAGE = `usage: npm run replay-decisions -w @riskgate/scoring-api -- \\
    --checkouts <world>/checkouts.jsonl --features <table>/training.csv --systems systems.json --out decisions.csv
    [--from ISO] [--to ISO] [--rules <rules.yaml> (default: the production rules, rules/default.yaml)]
    [--review-capacity 1000] [--overflow expected_loss|allow|block]

systems.json: {"systems": [{"name": "rules"},
                           {"name": "model", "scores": "scores.csv", "policy": {"chargebackFeeEur": 25, "reviewCostEur": 4,
                            "declineCostEur": 11.25, "reviewMinExpectedLossEur": 4}}]}
  scores.csv: event_id,score (calibrated probability); paths relative to systems.json.
out: system,event_id,occurred_at,rule,pipeline,decision,score,overflow
  rule: the acting rules' action (empty: none); pipeline: the decision before the review budget.`;

/** The production rules, wherever this script is run from. */
const DEFAULT_RULES = fileURLToPath(new URL("../rules/default.yaml", import.meta.url));
/** `npm run -w` runs in the package folder; paths on the command line are the caller's. */
const path = (p: string) => resolve(process.env.INIT_CWD ?? process.cwd(), p);

interface SystemSpec {
  name: string;
  scores?: string;
  policy?: PolicyCosts;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      checkouts: { type: "string" },
      features: { type: "string" },
      systems: { type: "string" },
      out: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      rules: { type: "string" },
      "review-capacity": { type: "string", default: "1000" },
      overflow: { type: "string", default: "expected_loss" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.checkouts || !values.features || !values.systems || !values.out) {
    throw new ReplayInputError("--checkouts, --features, --systems and --out are required");
  }
  const window = { from: time(values.from, "from", -Infinity), to: time(values.to, "to", Infinity) };
  const capacity = Number(values["review-capacity"]);
  if (!Number.isInteger(capacity) || capacity < 0)
    throw new ReplayInputError("--review-capacity: integer >= 0");
  const overflow = values.overflow;
  if (overflow !== "expected_loss" && overflow !== "allow" && overflow !== "block") {
    throw new ReplayInputError("--overflow: expected_loss, allow or block");
  }

  const features = new FeatureSet(FEATURES);
  const rules = new RuleEngine(await loadRules(values.rules ? path(values.rules) : DEFAULT_RULES));
  const systems = await loadSystems(path(values.systems));
  const checkouts = await readCheckouts(path(values.checkouts), window);
  const rows = await readFeatureRows(
    path(values.features),
    features.names,
    new Set(checkouts.map((c) => c.event_id)),
  );

  const out = createWriteStream(path(values.out));
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, "drain");
  };
  await write("system,event_id,occurred_at,rule,pipeline,decision,score,overflow\n");
  const settings = {
    features,
    rules,
    rows,
    reviewCapacityPerDay: capacity,
    overflow,
  } as const;
  for (const system of systems) {
    for await (const d of replayDecisions(settings, system, checkouts)) {
      await write(
        `${d.system},${d.eventId},${d.occurredAt},${d.rule ?? ""},${d.pipeline},${d.decision},${d.score ?? ""},${d.overflow ? 1 : 0}\n`,
      );
    }
  }
  out.end();
  await once(out, "finish");
  process.stderr.write(
    `replayed ${checkouts.length} checkouts x ${systems.length} systems (rules ${rules.version}) -> ${values.out}\n`,
  );
  return 0;
}

function time(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new ReplayInputError(`--${name}: not a date: ${value}`);
  return t;
}

async function loadSystems(path: string): Promise<ReplaySystem[]> {
  const doc = JSON.parse(await readFile(path, "utf8")) as { systems?: SystemSpec[] };
  if (!Array.isArray(doc.systems) || doc.systems.length === 0) {
    throw new ReplayInputError(`${path}: expected {"systems": [...]}`);
  }
  const base = dirname(path);
  return Promise.all(
    doc.systems.map(async (s) => {
      if (typeof s.name !== "string" || !/^[\w.-]+$/.test(s.name)) {
        throw new ReplayInputError(`${path}: each system needs a name of letters, digits, '_', '.', '-'`);
      }
      return {
        name: s.name,
        scores: s.scores ? await readScores(resolve(base, s.scores)) : null,
        ...(s.policy ? { policy: s.policy } : {}),
      };
    }),
  );
}

try {
  process.exitCode = await main();
} catch (err) {
  const known = err instanceof ReplayInputError || (err as { code?: string }).code?.startsWith("rules_");
  process.stderr.write(
    `replay-decisions: ${(err as Error).message}\n${known ? "" : `${(err as Error).stack}\n`}`,
  );
  process.exitCode = known ? 2 : 1;
}

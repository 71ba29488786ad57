// Redis server CPU per call of the feature store's read and apply scripts, on checkouts of a
// simulated world replayed over its history (bench:score's world and loading): what each checkout
// costs Redis, which shares the machine with the API in every bench here.
// usage: REDIS_URL=redis://127.0.0.1:6399 npm run bench:scripts -- [--days 20] [--checkouts 3000] [--rounds 5]
//          [--baseline-tree DIR]
// --baseline-tree times another checkout's scripts (a git worktree, e.g. of main) on the same calls,
// in turns within each round, and prints the paired ratio per round: this machine's speed drifts by
// 20-30 % between runs minutes apart, so only a comparison within one run tells a script change.
// The Redis must be otherwise idle: the numbers are its own EVALSHA accounting.
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { cliArgs } from "@riskgate/feature-store/cli-args";
import { type Checkout, pseudonymiserFor } from "@riskgate/feature-store/events";
import { APPLY_EVENT_LUA, median, READ_ENTITIES_LUA, removeKeys } from "@riskgate/feature-store/level-bench";
import { RedisStore } from "@riskgate/feature-store/online";
import { Redis } from "ioredis";
import { captureCheckoutCalls, measureScriptCost, type ScriptVariant } from "./script-cost.ts";
import { loadWorld } from "./world-replay.ts";

const { values } = cliArgs(import.meta.url, {
  options: {
    days: { type: "string", default: "20" },
    checkouts: { type: "string", default: "3000" },
    rounds: { type: "string", default: "5" },
    "baseline-tree": { type: "string" },
  },
});
const redisUrl = process.env.REDIS_URL;
if (!redisUrl) throw new Error("REDIS_URL is required (bash infra/dev/services.sh up)");
const checkouts = Number(values.checkouts);
const world = join(".cache/bench/score", `world-${values.days}d`);
// bench:score's world (same seed and cache): --reuse simulates only when the generator changed.
const sim = spawnSync(
  process.execPath,
  ["models/simulator/src/cli.ts", "--seed", "3", "--days", String(values.days), "--out", world, "--reuse"],
  { stdio: ["ignore", "ignore", "inherit"] },
);
if (sim.status !== 0) throw new Error(`the simulator failed (exit ${sim.status})`);

const variants: ScriptVariant[] = [
  { name: "this tree", lua: { read: READ_ENTITIES_LUA, apply: APPLY_EVENT_LUA } },
];
const baseline = values["baseline-tree"];
if (baseline) {
  const online = resolve(baseline, "feature-store/src/online");
  const read = await import(join(online, "read-entities-lua.ts"));
  const apply = await import(join(online, "apply-event-lua.ts"));
  variants.push({ name: baseline, lua: { read: read.READ_ENTITIES_LUA, apply: apply.APPLY_EVENT_LUA } });
}

const redis = new Redis(redisUrl);
const prefix = `scriptcost${Date.now().toString(36)}:`;
try {
  const { pseudonymiser } = pseudonymiserFor({});
  const history = new RedisStore(redis, { keyPrefix: prefix });
  process.stderr.write(`loading the world's history into Redis (${world}) ...\n`);
  const { historyEvents, bodies } = await loadWorld(world, history, pseudonymiser, checkouts);
  // The world's own checkouts (decoded from its log), pseudonymised as the API does on arrival.
  const replayed = bodies.map((b) => pseudonymiser.checkout(JSON.parse(b) as Checkout));
  const calls = await captureCheckoutCalls(redis, prefix, replayed);
  const costs = await measureScriptCost(redis, calls, Number(values.rounds), variants);
  for (const c of costs) {
    const r = c.usPerCall.map((v) => v.toFixed(0)).join(" / ");
    process.stdout.write(
      `${c.script.padEnd(5)} ${c.variant}: ${c.calls} calls, µs per call by round ${r}; median ${median(c.usPerCall).toFixed(0)}\n`,
    );
  }
  const ratios = (["read", "apply"] as const).map((script) => {
    const [mine, base] = [0, 1].map((k) =>
      costs.find((c) => c.script === script && c.variant === variants[k]?.name),
    );
    if (!mine || !base) return null;
    const paired = mine.usPerCall.map((v, r) => v / (base.usPerCall[r] as number));
    process.stdout.write(
      `${script.padEnd(5)} this tree / baseline by round ${paired.map((v) => v.toFixed(2)).join(" / ")}; median ${median(paired).toFixed(2)}\n`,
    );
    return { script, median: median(paired), by_round: paired };
  });
  const perCheckout = costs
    .filter((c) => c.variant === "this tree")
    .reduce((s, c) => s + median(c.usPerCall), 0);
  process.stdout.write(
    `${JSON.stringify({ history_events: historyEvents, checkouts, redis_us_per_checkout: Math.round(perCheckout), ratios: ratios.filter(Boolean), scripts: costs })}\n`,
  );
} finally {
  await removeKeys(redis, prefix);
  redis.disconnect();
}

// npm run load -- <scenario> [--base-url URL] [options]: one scenario against a running scoring-api.
// Prints vegeta's report, one line per threshold and check, and a verdict; exits 1 when any misses.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { guardKafkajsIdleTimers } from "@riskgate/common/kafkajs-idle-timer";
import { BodyFactory, loadTemplates } from "./bodies.ts";
import { printResult } from "./print.ts";
import { runScenario } from "./runner.ts";
import type { Need } from "./scenario.ts";
import { SCENARIOS } from "./scenarios/index.ts";
import { mergeThresholds } from "./thresholds.ts";
import { vegetaPath } from "./vegeta.ts";

const USAGE = `usage: npm run load -- <scenario> [options]
  scenarios: ${Object.keys(SCENARIOS).join(", ")}
  --base-url URL           the scoring-api (default $BASE_URL, else http://127.0.0.1:8080)
  --api-key KEY            key with the score scope (default $RISKGATE_LOAD_API_KEY)
  --admin-key KEY          key with the admin scope (kill-switch; default $RISKGATE_LOAD_ADMIN_KEY)
  --redis-control CMD      command taking stop|start for Redis, e.g. 'bash infra/dev/redis.sh'
  --kafka-control CMD      command taking stop|start for the Kafka broker, e.g. 'bash infra/dev/kafka.sh'
  --kafka-brokers LIST     brokers for kafka-outage's counts (default $KAFKA_BROKERS)
  --topic-prefix P         the deployment's KAFKA_TOPIC_PREFIX (default riskgate.)
  --metrics-url URL        the scoring-api's /metrics (default <base-url>/metrics; soak, kafka-outage)
  --ingest-metrics-url URL feature-ingest's /metrics (kafka-outage)
  --scale F                multiply every stage's rate (default 1)
  --time-scale F           multiply every stage's duration and side action's time (default 1)
  --threshold EXPR         replace the scenario's thresholds on that metric, e.g. 'p99<250ms' (repeatable)
  --max-workers N          vegeta -max-workers (default 2000)
  --timeout S              vegeta -timeout per request in seconds (default 5)
  --out DIR                results, summary JSON and PNG (default .cache/load/<scenario>-<time>)
  --keep-results           keep vegeta's binary result files`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    "base-url": { type: "string" },
    "api-key": { type: "string" },
    "admin-key": { type: "string" },
    "redis-control": { type: "string" },
    "kafka-control": { type: "string" },
    "kafka-brokers": { type: "string" },
    "topic-prefix": { type: "string", default: "riskgate." },
    "ingest-metrics-url": { type: "string" },
    "metrics-url": { type: "string" },
    scale: { type: "string", default: "1" },
    "time-scale": { type: "string", default: "1" },
    threshold: { type: "string", multiple: true, default: [] },
    "max-workers": { type: "string", default: "2000" },
    timeout: { type: "string", default: "5" },
    out: { type: "string" },
    "keep-results": { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
});

function fail(message: string): never {
  process.stderr.write(`load: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

// Before any client connects: kafka-outage's producer would otherwise run a 1 ms timer per broker
// connection (kafkajs-idle-timer.ts) on the cores the service under test shares.
guardKafkajsIdleTimers();
const name = positionals[0];
if (values.help || !name) fail(values.help ? "help" : "name a scenario");
const factory = SCENARIOS[name];
if (!factory) fail(`unknown scenario ${name}`);
const scenario = factory();
const env = process.env;
const baseUrl = (values["base-url"] ?? env.BASE_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
const apiKey = values["api-key"] ?? env.RISKGATE_LOAD_API_KEY;
if (!apiKey) fail("--api-key (or RISKGATE_LOAD_API_KEY) is required: a key with the score scope");
const ctx = {
  baseUrl,
  metricsUrl: values["metrics-url"] ?? `${baseUrl}/metrics`,
  adminKey: values["admin-key"] ?? env.RISKGATE_LOAD_ADMIN_KEY,
  redisControl: values["redis-control"],
  kafkaControl: values["kafka-control"],
  kafkaBrokers: values["kafka-brokers"] ?? env.KAFKA_BROKERS,
  ingestMetricsUrl: values["ingest-metrics-url"],
  topicPrefix: values["topic-prefix"] as string,
};
const given: Record<Need, unknown> = {
  "admin-key": ctx.adminKey,
  "redis-control": ctx.redisControl,
  "kafka-control": ctx.kafkaControl,
  "kafka-brokers": ctx.kafkaBrokers,
  "ingest-metrics-url": ctx.ingestMetricsUrl,
};
const missing = (scenario.needs ?? []).filter((n) => !given[n]);
if (missing.length > 0) fail(`${name} needs ${missing.map((n) => `--${n}`).join(", ")}`);
let thresholds: ReturnType<typeof mergeThresholds>;
try {
  thresholds = mergeThresholds(scenario.thresholds, values.threshold as string[]);
} catch (e) {
  fail((e as Error).message);
}
// A service that has just started may take a few seconds to connect and sync: wait up to 10 s.
let ready: number | string = "nothing";
for (let i = 0; i < 20 && ready !== 200; i++) {
  if (i > 0) await new Promise((r) => setTimeout(r, 500));
  ready = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(3_000) }).then(
    (r) => r.status,
    (e: Error) => e.message,
  );
}
if (ready !== 200)
  fail(`${baseUrl}/readyz answered ${ready}: start the service first (npm start), nothing is started here`);

const repo = resolve(import.meta.dirname, "../..");
const vegeta = vegetaPath();
const bodies = new BodyFactory(await loadTemplates(resolve(repo, ".cache/load")), Date.now().toString(36));
const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
const result = await runScenario({
  scenario,
  baseUrl,
  apiKey,
  thresholds,
  vegeta,
  body: (traffic) => bodies.next(traffic),
  outDir: resolve(values.out ?? resolve(repo, `.cache/load/${name}-${stamp}`)),
  scale: Number(values.scale),
  timeScale: Number(values["time-scale"]),
  maxWorkers: Number(values["max-workers"]),
  timeoutSeconds: Number(values.timeout),
  ctx,
  keepResults: values["keep-results"] as boolean,
  log: (line) => process.stdout.write(`${line}\n`),
});
printResult(result, (line) => process.stdout.write(`${line}\n`));
process.exitCode = result.pass ? 0 : 1;

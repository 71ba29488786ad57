// npm run bench: `steady` against the full local stack (Redis, Kafka, feature-ingest consuming a replay
// of the simulated world, scoring-api) and, in the same run, against three floors on the same machine
// (bare node:http, Fastify hello-world, Fastify doing only the Redis feature read); a step search for
// the highest constant rate with p99 < 200 ms; the flagged variant; feature freshness. Each of these
// for every --workers count (SCORING_WORKERS: one process against node:cluster workers), the first
// count's numbers checked against the targets. Writes load-tests/REPORT.md and its plots. Starts
// every process it measures and stops them at the end.
import type { ChildProcess } from "node:child_process";
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { guardKafkajsIdleTimers } from "@riskgate/common/kafkajs-idle-timer";
import { Redis } from "ioredis";
import { BodyFactory, loadTemplates } from "../src/bodies.ts";
import type { Scenario, Traffic } from "../src/scenario.ts";
import { vegetaPath } from "../src/vegeta.ts";
import { startFreshness, startReplay } from "./ingest.ts";
import { measure as measureSteady, steady, WARM_SECONDS } from "./measure.ts";
import { type BenchReport, type BenchRun, type Measured, measuredOf, writeReport } from "./report.ts";
import {
  assertPortFree,
  cleanupRun,
  createRunTopics,
  ensureWorld,
  kafka,
  kafkaPid,
  loadWorld,
  REPO,
  redisPid,
  required,
  runNode,
  stop,
  waitReady,
} from "./stack.ts";

// Before any client connects: the replay's and the freshness probe's producers would otherwise run
// a 1 ms timer per broker connection (kafkajs-idle-timer.ts), CPU taken from what is measured.
guardKafkajsIdleTimers();

const USAGE = `usage: REDIS_URL=… KAFKA_BROKERS=… npm run bench -- [--rate 1000] [--seconds 60] [--runs 3]
         [--days 25] [--workers 1,2] [--search-rates 1000,1500,2000,2500,3000,3500,4000]
         [--search-seconds 15] [--ingest-rate 500] [--no-search] [--report load-tests/REPORT.md]
Measures steady against the full local stack and three floors, a step search and the flagged wave,
per --workers count (about 28 minutes with the defaults), and writes the report (its plots go to
report/ beside it). Redis and Kafka: bash infra/dev/services.sh up.`;
const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "60" },
    runs: { type: "string", default: "3" },
    workers: { type: "string", default: "1,2" },
    days: { type: "string", default: "25" },
    "search-rates": { type: "string", default: "1000,1500,2000,2500,3000,3500,4000" },
    "search-seconds": { type: "string", default: "15" },
    "no-search": { type: "boolean", default: false },
    "ingest-rate": { type: "string", default: "500" },
    report: { type: "string", default: "load-tests/REPORT.md" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const command = `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim();
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const searchRates = (values["search-rates"] as string).split(",").map(Number);
const searchSeconds = Number(values["search-seconds"]);
const workerCounts = (values.workers as string).split(",").map(Number);
if (
  workerCounts.some((w) => !Number.isInteger(w) || w < 1 || w > 64) ||
  new Set(workerCounts).size !== workerCounts.length
)
  throw new Error(
    `--workers ${values.workers}: distinct SCORING_WORKERS counts from 1 to 64, comma-separated`,
  );
const redisUrl = required("REDIS_URL");
const brokers = required("KAFKA_BROKERS");
const vegeta = vegetaPath();

const run = `bench${Date.now().toString(36)}`;
const prefix = `${run}:`;
const topicPrefix = `${run}.`;
const token = `bench-key-${run}-0123456789`;
const work = join(REPO, ".cache/bench/load", run);
const PORTS = { ingest: 18381, http: 18382, fastify: 18383, "fastify-redis": 18384 } as const;
/** The scoring API of the i-th --workers count. */
const apiPort = (i: number) => 18390 + i;
const log = (line: string) => process.stderr.write(`${line}\n`);

const redis = new Redis(redisUrl);
const producer = kafka(brokers, "bench-replay").producer();
const children: ChildProcess[] = [];
const track = (child: ChildProcess) => {
  children.push(child);
  return child;
};
// Whatever fails, the run's processes stop and its keys and topics go; Ctrl-C too.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const c of children) c.kill("SIGTERM");
    void cleanupRun(run).finally(() => process.exit(130));
  });
}
for (const port of [...Object.values(PORTS), ...workerCounts.map((_, i) => apiPort(i))])
  await assertPortFree(port);
try {
  await main();
} finally {
  await producer.disconnect().catch(() => undefined);
  await Promise.all(children.map(stop));
  await redis.quit();
  await cleanupRun(run);
}

async function main(): Promise<void> {
  const searchTotal = values["no-search"]
    ? 0
    : searchRates.reduce((n, r) => n + r * (searchSeconds + WARM_SECONDS), 0);
  const needed = workerCounts.length * (runs * rate * (seconds + WARM_SECONDS) + searchTotal);
  log(`bench ${run}: loading the ${values.days}-day world's history into Redis ...`);
  const world = await loadWorld(
    await ensureWorld(Number(values.days)),
    redis,
    prefix,
    Math.min(needed, 60_000),
  );
  log(
    `${world.historyEvents} history events; ${world.checkouts.length} checkouts to replay; ${world.stream.length} events for ingest`,
  );

  // The world's own checkouts after the cut-off, in time order; once they are used up they repeat with
  // new event ids (a replayed id would be answered from the idempotency store, not scored).
  let nextCheckout = 0;
  const replayBody = (): string => {
    const i = nextCheckout++;
    const body = world.checkouts[i % world.checkouts.length] as string;
    const round = Math.floor(i / world.checkouts.length);
    return round === 0 ? body : body.replace(/"event_id":"([^"]+)"/, `"event_id":"$1-r${round}"`);
  };
  const flaggedBodies = new BodyFactory(await loadTemplates(join(REPO, ".cache/load")), run);
  const bodyFor = (traffic: Traffic | undefined) =>
    traffic?.flagged ? flaggedBodies.next(traffic) : replayBody();

  const env = {
    REDIS_URL: redisUrl,
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: "warn",
  };
  // One API per workers count, all up for the whole run (an idle one costs a few timers): each is
  // measured in turn against the same Redis, Kafka and ingest.
  const apis = workerCounts.map((workers, i) => ({
    workers,
    url: `http://127.0.0.1:${apiPort(i)}`,
    child: track(
      runNode(
        ["--max-semi-space-size=32", "--heap-growing-percent=400", "services/scoring-api/src/main.ts"],
        {
          ...env,
          PORT: String(apiPort(i)),
          RISKGATE_API_KEYS: `score:${token}`,
          SCORING_WORKERS: String(workers),
        },
      ),
    ),
  }));
  await createRunTopics(brokers, topicPrefix);
  const ingest = track(
    runNode(["services/feature-ingest/src/main.ts"], {
      ...env,
      INGEST_GROUP_ID: `${run}-ingest`,
      INGEST_METRICS_PORT: String(PORTS.ingest),
    }),
  );
  const floors = (["http", "fastify", "fastify-redis"] as const).map((kind) => ({
    kind,
    child: track(runNode(["load-tests/bench/floors.ts", kind, String(PORTS[kind])], env)),
  }));
  for (const a of apis) await waitReady(`${a.url}/readyz`, a.child);
  for (const f of floors) await waitReady(`http://127.0.0.1:${PORTS[f.kind]}/readyz`, f.child);
  await waitReady(`http://127.0.0.1:${PORTS.ingest}/healthz`, ingest);
  await producer.connect();
  const shared: Record<string, number | null> = {
    "feature-ingest": ingest.pid ?? null,
    redis: await redisPid(redis),
    kafka: kafkaPid(),
  };

  const measure = (
    label: string,
    baseUrl: string,
    scenario: Scenario,
    procs: Record<string, number | null>,
  ): Promise<Measured> =>
    measureSteady(
      { token, body: bodyFor, vegeta, work, brokers, topicPrefix, log },
      label,
      baseUrl,
      scenario,
      procs,
    );

  const report: BenchReport = {
    command,
    run,
    rate,
    seconds,
    days: Number(values.days),
    runs: [],
    searches: [],
    pids: {
      ...shared,
      ...Object.fromEntries(apis.map((a) => [`scoring-api-w${a.workers}`, a.child.pid ?? null])),
    },
  };

  for (let r = 1; r <= runs; r++) {
    const floorResults: Measured[] = [];
    for (const f of floors) {
      floorResults.push(
        await measure(
          `run${r}-floor-${f.kind}`,
          `http://127.0.0.1:${PORTS[f.kind]}`,
          steady(`floor-${f.kind}`, rate, seconds),
          {
            [f.kind]: f.child.pid ?? null,
            ...(f.kind === "fastify-redis" ? { redis: shared.redis ?? null } : {}),
          },
        ),
      );
    }
    const measured: BenchRun["apis"] = [];
    // Each run starts with the next workers count, so none always follows the floors.
    for (let k = 0; k < apis.length; k++) {
      const a = apis[(r - 1 + k) % apis.length] as (typeof apis)[number];
      const procs = { "scoring-api": a.child.pid ?? null, ...shared };
      const replay = startReplay(producer, topicPrefix, world.stream, Number(values["ingest-rate"]));
      const probe = startFreshness(producer, topicPrefix, a.url, token);
      const stack = await measure(
        `run${r}-stack-w${a.workers}`,
        a.url,
        steady("stack", rate, seconds),
        procs,
      );
      const freshness = await probe.stop();
      const ingestProduced = await replay.stop();
      const flagged = await measure(
        `run${r}-flagged-w${a.workers}`,
        a.url,
        steady("flagged", rate, seconds, { flagged: true }),
        procs,
      );
      measured.push({ workers: a.workers, stack, flagged, freshness, ingestProduced });
    }
    measured.sort((x, y) => workerCounts.indexOf(x.workers) - workerCounts.indexOf(y.workers));
    report.runs.push({ floors: floorResults, apis: measured });
  }
  if (!values["no-search"]) {
    for (const a of apis) {
      const steps: Measured[] = [];
      const procs = { "scoring-api": a.child.pid ?? null, ...shared };
      for (const r of searchRates) {
        const m = await measure(
          `search-w${a.workers}-${r}`,
          a.url,
          steady(`search-${r}`, r, searchSeconds),
          procs,
        );
        steps.push(m);
        if (!(m.summary.latency.p99 < 200) || m.summary.errors > 0) break;
      }
      report.searches.push({ workers: a.workers, steps });
    }
  }
  // The plots go next to the report they belong to: a report written elsewhere (--report) must not
  // replace the committed report's plots.
  const reportPath = resolve(REPO, values.report as string);
  const plots = join(dirname(reportPath), "report");
  await mkdir(plots, { recursive: true });
  for (const m of measuredOf(report)) {
    await copyFile(m.plot, join(plots, `${m.label}.png`));
    m.plot = `report/${m.label}.png`;
  }
  await writeReport(reportPath, report);
  log(`wrote ${reportPath}`);
}

// POST /v1/score on the real stack (Redis, Kafka, ONNX model, default rules) at constant arrival
// rates, next to the floor of a bare node:http server measured in the same run.
// usage: REDIS_URL=… KAFKA_BROKERS=… npm run bench:score -- [--rates 500,1000] [--seconds 60] [--days 20] [--profile]
// (--days sizes the world, so Redis's key count: the 20-day world's ~2.0 million keys pass 2^21
// during the 1,000/s phase, see redis_keys in the output; --days 25 starts at ~2.3 million.)
// The simulated world is loaded into Redis as history and its last checkouts are replayed in time
// order, each once (world-replay.ts).
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { guardKafkajsIdleTimers } from "@riskgate/common/kafkajs-idle-timer";
import { cliArgs } from "@riskgate/feature-store/cli-args";
import { pseudonymiserFor } from "@riskgate/feature-store/events";
import { RedisStore } from "@riskgate/feature-store/online";
import { Redis } from "ioredis";
import { Kafka, logLevel } from "kafkajs";
import { redisServerCpuMs } from "./redis-server-cpu.ts";
import { loadWorld } from "./world-replay.ts";

const { values } = cliArgs(import.meta.url, {
  options: {
    rates: { type: "string", default: "500,1000" },
    seconds: { type: "string", default: "60" },
    days: { type: "string", default: "20" },
    // Writes a V8 CPU profile of the API process to .cache/bench/score/ when the run ends.
    profile: { type: "boolean", default: false },
    // Extra flags for the API's node process, e.g. --api-flag=--max-semi-space-size=64 (repeatable; a later flag overrides the defaults below).
    "api-flag": { type: "string", multiple: true, default: [] },
  },
});
// As main.ts does: this process's idle kafkajs connections would otherwise wake it every 1 ms, on the
// cores the measured API shares.
guardKafkajsIdleTimers();
const rates = (values.rates as string).split(",").map(Number);
const seconds = Number(values.seconds);
const redisUrl = process.env.REDIS_URL;
const brokers = process.env.KAFKA_BROKERS;
if (!redisUrl || !brokers)
  throw new Error("REDIS_URL and KAFKA_BROKERS are required (bash infra/dev/services.sh up)");

const work = ".cache/bench/score";
const world = join(work, `world-${values.days}d`);
const run = `bench${Date.now().toString(36)}`;
const prefix = `${run}:`;
const token = "bench-score-key-0123456789abcdef";
const apiPort = 18080;
const floorPort = 18081;

function runNode(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
}

async function output(child: ChildProcess): Promise<string> {
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  await new Promise((resolve) => child.on("exit", resolve));
  return out;
}

const lastLine = (text: string) => text.trim().split("\n").at(-1) as string;

async function waitReady(url: string) {
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became ready`);
}

function cpuSeconds(pid: number): number {
  const stat = (readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1] as string).split(" ");
  return (Number(stat[11]) + Number(stat[12])) / 100;
}

await mkdir(work, { recursive: true });
// --reuse: the cached world is kept only if today's generator made it (else it is simulated again).
process.stderr.write(`the simulated world (${values.days} days, cached in ${world}) ...\n`);
await output(
  runNode([
    "models/simulator/src/cli.ts",
    "--seed",
    "3",
    "--days",
    String(values.days),
    "--out",
    world,
    "--reuse",
  ]),
);

const warmSeconds = 5;
const replayCount = rates.reduce((n, r) => n + r * (seconds + warmSeconds), 0);
process.stderr.write(`loading the world's history into Redis, replaying ${replayCount} checkouts ...\n`);
const redis = new Redis(redisUrl);
const store = new RedisStore(redis, { keyPrefix: prefix });
// The API pseudonymises what it is sent (same key: ID_HASH_KEY from this environment, else the
// development key), so history is stored under the same pseudonyms or no checkout would see it.
const { pseudonymiser } = pseudonymiserFor({
  ...(process.env.ID_HASH_KEY ? { idHashKey: process.env.ID_HASH_KEY } : {}),
  ...(process.env.ID_HASH_KEY_ID ? { idHashKeyId: process.env.ID_HASH_KEY_ID } : {}),
});
const { historyEvents: cut, bodies: replay } = await loadWorld(world, store, pseudonymiser, replayCount);
let nextReplay = 0;
const bodyFiles: string[] = [];
const takeBodies = async (tag: string, count: number) => {
  const file = join(work, `bodies-${run}-${tag}.jsonl`);
  bodyFiles.push(file);
  await writeFile(file, replay.slice(nextReplay, nextReplay + count).join("\n"));
  nextReplay += count;
  return file;
};

// The same flags as `npm start`.
const profileFlags = values.profile ? ["--cpu-prof", `--cpu-prof-dir=${work}`] : [];
const api = runNode(
  [
    "--max-semi-space-size=32",
    "--heap-growing-percent=400",
    ...profileFlags,
    ...(values["api-flag"] as string[]),
    "services/scoring-api/src/main.ts",
  ],
  {
    PORT: String(apiPort),
    REDIS_URL: redisUrl,
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: `${run}.`,
    REDIS_KEY_PREFIX: prefix,
    RISKGATE_API_KEYS: `score:${token}`,
    LOG_LEVEL: "warn",
  },
);
// Its log lines are not needed, but an unread pipe would fill and stall the server's writes.
api.stdout?.resume();
const floor = runNode(["services/scoring-api/bench/floor-server.ts", String(floorPort)]);
await waitReady(`http://127.0.0.1:${apiPort}/readyz`);
await new Promise((r) => setTimeout(r, 500));

const results: Record<string, unknown>[] = [];
for (const rate of rates) {
  const warmBodies = await takeBodies(`${rate}-warm`, rate * warmSeconds);
  const bodies = await takeBodies(String(rate), rate * seconds);
  const client = (u: string, b: string, warmB: string, t?: string) =>
    runNode([
      "services/scoring-api/bench/load-client.ts",
      u,
      String(rate),
      String(seconds),
      b,
      ...(t ? [t] : []),
      "--warmup",
      String(warmSeconds),
      "--warmup-bodies",
      warmB,
    ]);
  const floorResult = JSON.parse(lastLine(await output(client(`http://127.0.0.1:${floorPort}/`, "-", "-"))));
  // API CPU counts from the client's first measured request (after its warm-up at the same rate).
  const scoreClient = client(`http://127.0.0.1:${apiPort}/v1/score`, bodies, warmBodies, token);
  let cpu0 = Number.NaN;
  let keys0: Promise<number> = Promise.resolve(Number.NaN);
  let redisCpu0: Promise<number> = Promise.resolve(Number.NaN);
  scoreClient.stdout?.on("data", (d: Buffer) => {
    if (Number.isNaN(cpu0) && d.toString().includes("measuring")) {
      cpu0 = cpuSeconds(api.pid as number);
      keys0 = redis.dbsize();
      redisCpu0 = redisServerCpuMs(redis).then((ms) => (ms ?? Number.NaN) / 1000);
    }
  });
  const scoreResult = JSON.parse(lastLine(await output(scoreClient)));
  const cpu = (cpuSeconds(api.pid as number) - cpu0) / seconds;
  const redisCpu = (((await redisServerCpuMs(redis)) ?? Number.NaN) / 1000 - (await redisCpu0)) / seconds;
  const [keysBefore, keysAfter] = [await keys0, await redis.dbsize()];
  const result = {
    rate,
    floor: floorResult,
    score: scoreResult,
    api_cpu_cores: Math.round(cpu * 100) / 100,
    // The Redis server's CPU (INFO, main thread): every client of that Redis counts, so run alone.
    redis_cpu_cores: Math.round(redisCpu * 100) / 100,
    p99_over_floor: Math.round((scoreResult.p99_ms / floorResult.p99_ms) * 100) / 100,
    // Redis doubles its key table when the key count passes a power of two and then moves every key
    // over a few seconds, at about twice its CPU per command: a phase that crossed one measured that.
    redis_keys: {
      before: keysBefore,
      after: keysAfter,
      crossed_power_of_two: Math.floor(Math.log2(keysAfter)) > Math.floor(Math.log2(keysBefore)),
    },
  };
  results.push(result);
  process.stderr.write(`${JSON.stringify(result)}\n`);
}

// Waiting lets --profile write its file; a shutdown stuck past 30 s is killed.
const apiExited = new Promise((resolve) => api.on("exit", resolve));
api.kill("SIGTERM");
floor.kill("SIGTERM");
const stuck = setTimeout(() => api.kill("SIGKILL"), 30_000);
await apiExited;
clearTimeout(stuck);
// SCAN, not KEYS: KEYS over the ~2 million keys of a run blocks a shared Redis for seconds.
for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 })) {
  if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
}
for (const file of bodyFiles) await rm(file, { force: true });
// Topics left behind pile up in the broker (partitions, files, periodic checks) and slow later runs.
const admin = new Kafka({
  clientId: "bench-score",
  brokers: brokers.split(","),
  logLevel: logLevel.NOTHING,
}).admin();
await admin.connect();
const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${run}.`));
if (topics.length > 0) await admin.deleteTopics({ topics });
await admin.disconnect();
await redis.quit();
process.stdout.write(`${JSON.stringify({ seconds, history_events: cut, replayed_checkouts: replayCount, results }, null, 2)}
`);

// POST /v1/score on the real stack (Redis, Kafka, ONNX model, default rules) at constant arrival
// rates, next to the floor of a bare node:http server measured in the same run.
// usage: REDIS_URL=… KAFKA_BROKERS=… npm run bench:score -- [--rates 500,1000] [--seconds 60] [--days 12]
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { mergedEventLog } from "../../../feature-store/src/backfill/event-log.ts";
import type { DomainEvent } from "../../../feature-store/src/events/index.ts";
import { RedisStore } from "../../../feature-store/src/online/redis-store.ts";
import { update } from "../../../feature-store/src/update/update.ts";

const { values } = parseArgs({
  options: {
    rates: { type: "string", default: "500,1000" },
    seconds: { type: "string", default: "60" },
    days: { type: "string", default: "12" },
  },
});
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

function runTsx(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", ...args], {
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
if (!existsSync(join(world, "world.json"))) {
  process.stderr.write(`simulating ${values.days} days into ${world} ...\n`);
  await output(
    runTsx(["models/simulator/src/cli.ts", "--seed", "3", "--days", String(values.days), "--out", world]),
  );
}

process.stderr.write("loading the world's history into Redis ...\n");
const redis = new Redis(redisUrl);
const store = new RedisStore(redis, { keyPrefix: prefix });
const checkouts: string[] = [];
let batch: DomainEvent[] = [];
for await (const { event } of mergedEventLog(world, { invalid: new Map() })) {
  if (event.type === "checkout") {
    const { type: _t, ...body } = event;
    checkouts.push(JSON.stringify(body));
    continue;
  }
  batch.push(event);
  if (batch.length === 1000) {
    await store.applyBatch(batch.map(update));
    batch = [];
  }
}
await store.applyBatch(batch.map(update));

const api = runTsx(["services/scoring-api/src/main.ts"], {
  PORT: String(apiPort),
  REDIS_URL: redisUrl,
  KAFKA_BROKERS: brokers,
  KAFKA_TOPIC_PREFIX: `${run}.`,
  REDIS_KEY_PREFIX: prefix,
  RISKGATE_API_KEYS: `score:${token}`,
  LOG_LEVEL: "warn",
});
const floor = runTsx(["services/scoring-api/bench/floor-server.ts", String(floorPort)]);
await waitReady(`http://127.0.0.1:${apiPort}/readyz`);
await new Promise((r) => setTimeout(r, 500));

const results: Record<string, unknown>[] = [];
for (const rate of rates) {
  // A fresh event id per run: a repeated one would be answered from the idempotency store.
  const bodiesFor = async (tag: string) => {
    const file = join(work, `bodies-${run}-${tag}.jsonl`);
    await writeFile(
      file,
      checkouts.map((b) => b.replace(/"event_id":"([^"]+)"/, `"event_id":"$1-${run}-${tag}"`)).join("\n"),
    );
    return file;
  };
  const bodies = await bodiesFor(String(rate));
  const warmBodies = await bodiesFor(`${rate}-warm`);
  const client = (u: string, b: string, t?: string) =>
    runTsx([
      "services/scoring-api/bench/load-client.ts",
      u,
      String(rate),
      String(seconds),
      b,
      ...(t ? [t] : []),
    ]);
  const floorResult = JSON.parse(await output(client(`http://127.0.0.1:${floorPort}/`, "-")));
  // Warm-up at the same rate, not measured.
  await output(
    runTsx([
      "services/scoring-api/bench/load-client.ts",
      `http://127.0.0.1:${apiPort}/v1/score`,
      String(rate),
      "5",
      warmBodies,
      token,
    ]),
  );
  const cpu0 = cpuSeconds(api.pid as number);
  const scoreResult = JSON.parse(await output(client(`http://127.0.0.1:${apiPort}/v1/score`, bodies, token)));
  const cpu = (cpuSeconds(api.pid as number) - cpu0) / seconds;
  results.push({
    rate,
    floor: floorResult,
    score: scoreResult,
    api_cpu_cores: Math.round(cpu * 100) / 100,
    p99_over_floor: Math.round((scoreResult.p99_ms / floorResult.p99_ms) * 100) / 100,
  });
}

api.kill("SIGTERM");
floor.kill("SIGTERM");
const keys = await redis.keys(`${prefix}*`);
for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
await redis.quit();
process.stdout.write(
  `${JSON.stringify({ seconds, history_checkouts: checkouts.length, results }, null, 2)}\n`,
);

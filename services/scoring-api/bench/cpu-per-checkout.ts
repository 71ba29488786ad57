// Process CPU per checkout of the scoring path: the API built like main.ts's over the shared Redis
// (its own key prefix), measured in rounds that interleave the cells asked for, so a busy spell on
// the box weighs on all of them. CPU time, not latency. Not a substitute for `npm run load`.
// usage: REDIS_URL=… node services/scoring-api/bench/cpu-per-checkout.ts [--modes inject,paced,http,floor,idle]
//   [--traffic normal,flagged,world] [--checkouts 3000] [--rounds 3] [--rate 500] [--world-dir DIR]
//   [--decision-log] [--redis-client harness|main|none] [--lag-probe] [--default-metrics]
//   [--admission normal|degrade|shed] [--profile out.cpuprofile] [--tree DIR]
// Modes (how checkouts reach the API):
//   inject   8 in flight through Fastify's inject (no socket); `inject1`, `inject2`…: that many.
//            The process CPU includes the client's own work (body, injected request, parsing the
//            answer): the same loop against a bare handler answering a canned score (`client`) is
//            subtracted, `net` = `raw` - `client`.
//   paced    one by one at a constant --rate (open loop), injected: the idle gaps of a real arrival
//            rate (the loop waking per request, caches gone cold) without a socket.
//   http     over a real socket at a constant --rate from load-client.ts in a process of its own
//            (keep-alive connections), as bench:score sends them: all of this process's CPU is the API's.
//   floor    the same client against a bare Fastify app in this process: HTTP and Fastify alone.
//   idle     no traffic for --rate's worth of checkouts: what runs per second, not per checkout
//            (timers, polls), reported per checkout at --rate.
// Traffic: `normal` and `flagged` (fresh-checkouts.ts), `world` (the last checkouts of a simulated
// world, --world-dir (one bench:score or the simulator made), replayed once each in time order after
// its history is loaded into the API's store, as bench:score does: warm entities, its review rate).
// Wiring: --decision-log publishes decisions to Kafka (KAFKA_BROKERS) as main.ts does; --redis-client
// main uses main.ts's fail-fast client (a timer per command) instead of the test harness's, none the
// embedded in-memory stores (no I/O to wait for);
// --lag-probe runs admission control's 10 ms event-loop timer, and --default-metrics prom-client's
// process collectors (event-loop delay monitor, GC observer), as main.ts does. Run with main's node
// flags (--max-semi-space-size=32 --heap-growing-percent=400) to match `npm start`, and with
// --expose-gc when the world is loaded (its event log is collected before the rounds).
// --admission pins the lag admission control sees at its degrade or shed bound (not with --lag-probe):
// every checkout then takes the overload path (rules on request-time data, or a 503 before the body
// is read), whose CPU per request is what a saturated API spends.
// --tree measures the API of another checkout of this repository (say main's worktree, read only).
// --profile FILE writes a V8 CPU profile of each measured API round, FILE.<cell>.r<round> (no client
// rounds, start-up or clean-up). `redis_server` is the Redis server's CPU per checkout (INFO cpu): it counts every
// client of that Redis, so point the bench at a Redis of its own for a number of its own.
import { writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Session } from "node:inspector/promises";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { METRIC_PREFIX } from "@riskgate/common/metrics";
import { cliArgs } from "@riskgate/feature-store/cli-args";
import { createKafka, deleteTopics } from "@riskgate/test-support/services";
import inject from "light-my-request";
import { collectDefaultMetrics } from "prom-client";
import { benchLagProbe } from "./bench-lag-probe.ts";
import { type Counts, cpuOf, type Measured } from "./cpu-measure.ts";
import { freshCheckouts } from "./fresh-checkouts.ts";
import { httpRound, startFastifyFloor } from "./http-round.ts";
import { paced } from "./paced.ts";
import { redisServerCpuMs } from "./redis-server-cpu.ts";
import { loadWorld } from "./world-replay.ts";

const { values } = cliArgs(import.meta.url, {
  options: {
    modes: { type: "string", default: "inject" },
    traffic: { type: "string", default: "normal" },
    checkouts: { type: "string", default: "3000" },
    rounds: { type: "string", default: "3" },
    rate: { type: "string", default: "500" },
    "world-dir": { type: "string", default: ".cache/bench/score/world-13d" },
    "decision-log": { type: "boolean", default: false },
    "redis-client": { type: "string", default: "harness" },
    "lag-probe": { type: "boolean", default: false },
    "default-metrics": { type: "boolean", default: false },
    admission: { type: "string", default: "normal" },
    profile: { type: "string" },
    tree: { type: "string" },
  },
});
/** A test-support module of `--tree`'s checkout, or of this one. */
function support(name: string): string {
  return values.tree
    ? pathToFileURL(resolve(values.tree, "test/support", `${name}.ts`)).href
    : `@riskgate/test-support/${name}`;
}
const { bearer, startApi, TOKENS, pseudonymiser }: typeof import("@riskgate/test-support/api-harness") =
  await import(support("api-harness"));
const { checkout }: typeof import("@riskgate/test-support/events") = await import(support("events"));
const { scanKeys }: typeof import("@riskgate/test-support/services") = await import(support("services"));

type Traffic = "normal" | "flagged" | "world";
const modes = (values.modes as string).split(",");
const traffics = (values.traffic as string).split(",") as Traffic[];
const n = Number(values.checkouts);
const rounds = Number(values.rounds);
const rate = Number(values.rate);
const warmCount = 500;
for (const m of modes)
  if (!/^(inject\d*|paced|http|floor|idle)$/.test(m)) throw new Error(`unknown mode ${m}`);
for (const t of traffics)
  if (!["normal", "flagged", "world"].includes(t)) throw new Error(`unknown traffic ${t}`);

const admission = values.admission as string;
const lagProbe = benchLagProbe(admission, values["lag-probe"] as boolean);

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) throw new Error("REDIS_URL is required");
// Main's per-command and per-checkout timers and its lag probe's timer, with bounds no slow moment
// on a shared box reaches: degraded or shed checkouts would take other paths and make the cells
// incomparable.
const mainClient = values["redis-client"] === "main";
const h = await startApi({
  ...(mainClient ? { redisUrl } : values["redis-client"] === "none" ? {} : { redis: true }),
  env: {
    FEATURE_TIMEOUT_MS: "2000",
    MODEL_TIMEOUT_MS: "2000",
    ...(mainClient ? { REDIS_COMMAND_TIMEOUT_MS: "2000" } : {}),
    ...(values["lag-probe"] ? { ADMISSION_DEGRADE_LAG_MS: "60000", ADMISSION_SHED_LAG_MS: "60000" } : {}),
  },
  ...(lagProbe ? { lagProbe } : {}),
  ...(values["decision-log"] ? { kafka: true } : {}),
});
// What createMetricsRegistry adds to main.ts's registry (the harness's has none of it).
if (values["default-metrics"]) collectDefaultMetrics({ register: h.registry, prefix: METRIC_PREFIX });
const redis = h.redis;
// main.ts's client has no offline queue: the first checkouts would find it still connecting.
while (redis && redis.status !== "ready") await new Promise((r) => setTimeout(r, 50));

const freshBody = freshCheckouts(checkout);

const apiModes = modes.filter((m) => m !== "floor" && m !== "idle");
let world: string[] = [];
if (traffics.includes("world")) {
  const needed = (1 + rounds) * apiModes.length * (n + warmCount);
  process.stderr.write(`loading ${values["world-dir"]} into Redis (${needed} checkouts to replay) ...\n`);
  world = (await loadWorld(values["world-dir"] as string, h.store, pseudonymiser, needed)).bodies;
  // The decoded event log is garbage now: collected here (node --expose-gc), not in a measured round.
  (globalThis as { gc?: () => void }).gc?.();
}
let nextWorld = 0;
function take(traffic: Traffic, count: number): string[] {
  if (traffic !== "world") return Array.from({ length: count }, () => freshBody(traffic === "flagged"));
  nextWorld += count;
  return world.slice(nextWorld - count, nextWorld);
}

// A real answer, so the client loop and the floor write and parse as many bytes as the API does.
let canned = "{}";
const bareHandler = (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
  res.end(canned);
};
const headers = { ...bearer(TOKENS.score), "content-type": "application/json" };

const redisCpuMs = async () => (redis ? redisServerCpuMs(redis) : undefined);

/** `bodies` injected `concurrency` at a time, or with `concurrency` 0 arriving at --rate (open loop). */
async function injectRound(bodies: readonly string[], concurrency: number, bare: boolean): Promise<Measured> {
  const decisions: Counts = {};
  const one = async (payload: string) => {
    const request = { method: "POST", url: "/v1/score", headers, payload } as const;
    const res = await (bare ? inject(bareHandler, request) : h.app.inject(request));
    const answer = res.statusCode === 200 ? (res.json() as { mode: string; decision: string }) : undefined;
    const key = answer ? `${answer.mode}/${answer.decision}` : String(res.statusCode);
    decisions[key] = (decisions[key] ?? 0) + 1;
  };
  let next = 0;
  const redis0 = bare ? undefined : await redisCpuMs();
  const cpu0 = process.cpuUsage();
  if (concurrency === 0) await paced(bodies.length, rate, (i) => one(bodies[i] as string));
  else
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < bodies.length) await one(bodies[next++] as string);
      }),
    );
  const cpu = cpuOf(process.cpuUsage(cpu0));
  const redis1 = redis0 === undefined ? undefined : await redisCpuMs();
  return {
    ...cpu,
    ...(redis0 !== undefined && redis1 !== undefined ? { redisMs: redis1 - redis0 } : {}),
    decisions,
  };
}

await h.app.listen({ port: 0, host: "127.0.0.1" });
const apiUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/v1/score`;
const floor = modes.includes("floor") ? await startFastifyFloor(() => canned) : undefined;

async function apiHttpRound(bodies: readonly string[], warmBodies: readonly string[]): Promise<Measured> {
  const redis0 = await redisCpuMs();
  const r = await httpRound({ url: apiUrl, token: TOKENS.score, rate, bodies, warmBodies });
  const redis1 = await redisCpuMs();
  const decisions: Counts = {};
  for (const [mode, count] of Object.entries(r.summary.modes)) decisions[`mode:${mode}`] = count;
  for (const [d, count] of Object.entries(r.summary.decisions)) decisions[d] = count;
  for (const [s, count] of Object.entries(r.summary.statuses)) if (s !== "200") decisions[s] = count;
  return {
    ...r,
    ...(redis0 !== undefined && redis1 !== undefined ? { redisMs: redis1 - redis0 } : {}),
    decisions,
  };
}

const profiler = values.profile ? new Session() : undefined;
const ms = (total: number) => Math.round((total / n) * 1000) / 1000;
type Row = Record<string, unknown> & { cell: string; net: number };
const rows: Row[][] = [];
const clientLater: (() => Promise<void>)[] = [];
async function measureRound(r: number, record: boolean): Promise<void> {
  const out: Row[] = [];
  for (const mode of modes) {
    for (const traffic of mode === "floor" || mode === "idle" ? (["normal"] as Traffic[]) : traffics) {
      const cell = mode === "floor" || mode === "idle" ? mode : `${mode}/${traffic}`;
      if (mode === "idle") {
        const cpu0 = process.cpuUsage();
        await new Promise((res) => setTimeout(res, (n / rate) * 1000));
        const cpu = cpuOf(process.cpuUsage(cpu0));
        out.push({
          cell,
          net: ms(cpu.cpuMs),
          ms_per_second: Math.round((cpu.cpuMs / (n / rate)) * 100) / 100,
        });
        continue;
      }
      const warm = take(traffic, warmCount);
      const bodies = take(traffic, n);
      if (mode === "floor" && floor) {
        const f = await httpRound({ url: floor.url, token: undefined, rate, bodies, warmBodies: warm });
        out.push({ cell, net: ms(f.cpuMs), user: ms(f.userMs), system: ms(f.systemMs) });
        continue;
      }
      const concurrency = mode === "paced" ? 0 : Number(mode.slice("inject".length) || 8);
      if (mode !== "http") await injectRound(warm, concurrency, false);
      // Over HTTP the profile holds the client's warm-up second too (it runs in the client's process).
      if (profiler && record) await profiler.post("Profiler.start");
      const api =
        mode === "http" ? await apiHttpRound(bodies, warm) : await injectRound(bodies, concurrency, false);
      if (profiler && record) {
        const { profile } = await profiler.post("Profiler.stop");
        writeFileSync(`${values.profile}.${cell.replace("/", "-")}.r${r}`, JSON.stringify(profile));
      }
      const row: Row = {
        cell,
        net: ms(api.cpuMs),
        raw: ms(api.cpuMs),
        user: ms(api.userMs),
        system: ms(api.systemMs),
        redis_server: api.redisMs === undefined ? null : ms(api.redisMs),
        decisions: api.decisions,
      };
      out.push(row);
      if (mode !== "http") {
        // The client's own CPU: after the profile, when one is written, so it holds the API only.
        const client = async () => {
          const c = await injectRound(bodies, concurrency, true);
          row.client = ms(c.cpuMs);
          row.net = Math.round((row.raw as number) * 1000 - (row.client as number) * 1000) / 1000;
        };
        if (profiler) clientLater.push(client);
        else await client();
      }
    }
  }
  if (record) rows.push(out);
}

canned = (await h.app.inject({ method: "POST", url: "/v1/score", headers, payload: freshBody(false) })).body;
if (profiler) {
  profiler.connect();
  await profiler.post("Profiler.enable");
}
await measureRound(-1, false); // JIT, connections, the client's warm-up
for (let r = 0; r < rounds; r++) await measureRound(r, true);
for (const client of clientLater) await client();
profiler?.disconnect();

// SCAN (every master of a cluster), not KEYS: the shared Redis may hold millions of other keys.
const keys = redis ? await scanKeys(redis, `${h.prefix}*`) : [];
for (let i = 0; i < keys.length; i += 1000) await redis?.unlink(...keys.slice(i, i + 1000));
await floor?.close();
await h.close();
if (values["decision-log"])
  await deleteTopics(createKafka("cpu-per-checkout"), [`${h.topicPrefix}decisions`]);
const cells = [...new Set(rows.flatMap((round) => round.map((row) => row.cell)))];
const range = (cell: string) => {
  const v = rows.flatMap((round) => round.filter((row) => row.cell === cell).map((row) => row.net));
  return { min: Math.min(...v), max: Math.max(...v), rounds: v };
};
process.stdout.write(
  `${JSON.stringify({
    tree: values.tree ?? ".",
    wiring: {
      decision_log: values["decision-log"],
      redis_client: values["redis-client"],
      lag_probe: values["lag-probe"],
      default_metrics: values["default-metrics"],
      admission,
      node_flags: process.execArgv,
    },
    checkouts: n,
    rate,
    net_ms_per_checkout: Object.fromEntries(cells.map((c) => [c, range(c)])),
    rounds: rows,
  })}\n`,
);

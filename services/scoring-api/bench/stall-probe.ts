// Where a slow answer's time goes: the Redis-outage test's stream (checkouts and a /healthz floor at
// a constant rate, in process, the API built like main.ts's over a Redis of its own), with Redis up,
// watched by a 2 ms heartbeat. A gap in the heartbeat is a stalled event loop; the process CPU spent
// during the gap says whose stall it was (about the gap: work on our thread, GC included; far less:
// the process was not scheduled), and GC entries that overlap it say how much was the collector.
// usage: node [--cpu-prof] services/scoring-api/bench/stall-probe.ts [--seconds 20] [--rate 80]
import { type PerformanceEntry, PerformanceObserver } from "node:perf_hooks";
import { writeHeapSnapshot } from "node:v8";
import { cliArgs } from "@riskgate/feature-store/cli-args";
import { startApi } from "@riskgate/test-support/api-harness";
import { checkout, T0 } from "@riskgate/test-support/events";
import type { InjectOptions } from "fastify";
import { OwnRedis } from "../test/resilience/own-redis.ts";
import { SteadyLoad, summary } from "../test/resilience/steady-load.ts";

const { values } = cliArgs(import.meta.url, {
  options: {
    seconds: { type: "string", default: "20" },
    rate: { type: "string", default: "80" },
    "gap-ms": { type: "string", default: "20" },
    "heap-snapshot": { type: "string" },
  },
});
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const gapMs = Number(values["gap-ms"]);

interface Gap {
  readonly at: number;
  readonly ms: number;
  readonly cpuMs: number;
  gcMs: number;
  gcKinds: string[];
}
const gcs: { start: number; ms: number; kind: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcs.push({
      start: e.startTime,
      ms: e.duration,
      kind: (e as PerformanceEntry & { detail?: { kind: number } }).detail?.kind ?? 0,
    });
  }
}).observe({ entryTypes: ["gc"] });
const GC_KIND: Record<number, string> = { 1: "minor", 2: "major", 4: "incremental", 8: "weakcb" };

const redis = await OwnRedis.start();
const h = await startApi({ redisUrl: redis.url });
for (let i = 0; i < 50; i++) {
  await h.app.inject({
    method: "POST",
    url: "/v1/score",
    headers: { authorization: "Bearer score-key-0123456789abcdef" },
    payload: checkout(`warm-${i}`, T0 - 100_000 + i),
  });
}

const gaps: Gap[] = [];
let lastWall = performance.now();
let lastCpu = process.cpuUsage();
const beat = setInterval(() => {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const ms = wall - lastWall;
  if (ms > gapMs) {
    const cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
    gaps.push({ at: lastWall, ms, cpuMs, gcMs: 0, gcKinds: [] });
  }
  lastWall = wall;
  lastCpu = cpu;
}, 2);

// The server's own stage timings per checkout: a slow answer whose stages were fast waited outside them.
const timings = new Map<string, Record<string, number>>();
const timed = {
  ...h,
  app: {
    inject: async (opts: InjectOptions) => {
      const res = await h.app.inject(opts);
      const id = (opts.payload as { event_id?: string } | undefined)?.event_id;
      if (id && res.statusCode === 200) timings.set(id, res.json().timings_ms);
      return res;
    },
  },
} as unknown as typeof h;
const load = new SteadyLoad(timed, (i) => checkout(`stall-${i}`, T0 + i * 1_000), {
  ratePerSec: rate,
  maxRequests: rate * seconds,
});
const floor = new SteadyLoad(h, () => null, { ratePerSec: rate, maxRequests: rate * seconds });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
load.start();
floor.start();
if (values["heap-snapshot"]) {
  // Mid-stream too: what lives while checkouts flow, against what is left once they stopped.
  setTimeout(() => writeHeapSnapshot(`${values["heap-snapshot"]}.mid`), (seconds * 1000) / 2).unref();
}
await new Promise((r) => setTimeout(r, seconds * 1000 + 500));
const samples = await load.stop();
const floorSamples = await floor.stop();
const wallMs = performance.now() - t0;
const cpu1 = process.cpuUsage(cpu0);
clearInterval(beat);

for (const g of gaps) {
  for (const c of gcs) {
    const overlap = Math.min(g.at + g.ms, c.start + c.ms) - Math.max(g.at, c.start);
    if (overlap > 0) {
      g.gcMs += overlap;
      g.gcKinds.push(GC_KIND[c.kind] ?? String(c.kind));
    }
  }
}
const r = (v: number) => Math.round(v * 10) / 10;
const inRun = gcs.filter((c) => c.start >= t0);
const byKind = new Map<string, { n: number; ms: number; max: number }>();
for (const c of inRun) {
  const k = GC_KIND[c.kind] ?? String(c.kind);
  const s = byKind.get(k) ?? { n: 0, ms: 0, max: 0 };
  byKind.set(k, { n: s.n + 1, ms: s.ms + c.ms, max: Math.max(s.max, c.ms) });
}
const slow = samples.filter((s) => s.latencyMs > 50);
const slowExplained = slow.map((s) => {
  const g = gaps.filter((x) => x.at < s.sentAt + s.latencyMs && x.at + x.ms > s.sentAt);
  return {
    latencyMs: r(s.latencyMs),
    mode: s.mode,
    serverMs: timings.get(`stall-${s.i}`),
    loopGapsMs: g.map((x) => r(x.ms)),
    cpuInGapsMs: r(g.reduce((a, x) => a + x.cpuMs, 0)),
    gcInGapsMs: r(g.reduce((a, x) => a + x.gcMs, 0)),
  };
});
process.stdout.write(
  `${JSON.stringify(
    {
      seconds,
      rate,
      loadavg: (await import("node:os")).loadavg().map(r),
      process_cpu_share: r((cpu1.user + cpu1.system) / 1000 / wallMs),
      checkouts: summary(samples),
      floor: summary(floorSamples),
      modes: Object.fromEntries(
        [...new Set(samples.map((s) => s.mode))].map((m) => [m, samples.filter((s) => s.mode === m).length]),
      ),
      gc: Object.fromEntries([...byKind].map(([k, v]) => [k, { n: v.n, ms: r(v.ms), max: r(v.max) }])),
      loop_gaps_over_ms: gapMs,
      loop_gaps: gaps
        .filter((g) => g.at >= t0)
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 15)
        .map((g) => ({ ms: r(g.ms), cpuMs: r(g.cpuMs), gcMs: r(g.gcMs), gc: g.gcKinds.join(",") })),
      slow_checkouts: slowExplained.length,
    },
    null,
    1,
  )}\n`,
);
// One line per slow checkout: the loop gaps it waited through and the CPU and GC inside them.
process.stdout.write(
  `${slowExplained
    .slice(0, 30)
    .map((s) => JSON.stringify(s))
    .join("\n")}\n`,
);
// --heap-snapshot: what the stream left alive (a snapshot collects garbage first), by constructor.
if (values["heap-snapshot"])
  process.stderr.write(`heap snapshot: ${writeHeapSnapshot(values["heap-snapshot"])}\n`);
await h.close();
await redis.close();

// One measured steady run of the bench: latency and throughput from vegeta, CPU and memory of the
// named processes (each with its descendants: node:cluster workers) over the measured stage only
// (the warm-up is excluded).
import { join } from "node:path";
import { runScenario } from "../src/runner.ts";
import { plainContext, type Scenario, type Stage, type Traffic } from "../src/scenario.ts";
import { mergeThresholds } from "../src/thresholds.ts";
import type { Measured } from "./report.ts";
import { type ProcStat, procTreeStat } from "./stack.ts";

/** Seconds of unmeasured warm-up before every steady stage. */
export const WARM_SECONDS = 5;

/** A warm-up, then `s` seconds at a constant `r` per second. */
export function steady(name: string, r: number, s: number, traffic?: Traffic): Scenario {
  return {
    name,
    description: `steady ${r}/s for ${s}s`,
    stages: [
      { name: "warm-up", rate: r, seconds: WARM_SECONDS, warmup: true, ...(traffic ? { traffic } : {}) },
      { name: "steady", rate: r, seconds: s, ...(traffic ? { traffic } : {}) },
    ],
    thresholds: [],
  };
}

export interface MeasureContext {
  readonly token: string;
  readonly body: (traffic: Traffic | undefined) => string;
  readonly vegeta: string;
  /** Where each measurement's vegeta output goes (a folder per label). */
  readonly work: string;
  readonly brokers: string;
  readonly topicPrefix: string;
  readonly log: (line: string) => void;
}

/** One measured steady run against `baseUrl`, with CPU and memory of the named processes over the measured stage. */
export async function measure(
  ctx: MeasureContext,
  label: string,
  baseUrl: string,
  scenario: Scenario,
  procs: Record<string, number | null>,
): Promise<Measured> {
  const { log } = ctx;
  const before: Record<string, ProcStat> = {};
  const after: Record<string, ProcStat> = {};
  let t0 = 0;
  let t1 = 0;
  const onStage = (st: Stage, phase: "start" | "end") => {
    if (st.warmup) return;
    for (const [name, pid] of Object.entries(procs))
      if (pid) (phase === "start" ? before : after)[name] = procTreeStat(pid);
    if (phase === "start") t0 = performance.now();
    else t1 = performance.now();
  };
  log(`${label}: ${scenario.description} against ${baseUrl}`);
  const result = await runScenario({
    scenario,
    baseUrl,
    apiKey: ctx.token,
    thresholds: mergeThresholds(["p99<200ms"], []),
    body: ctx.body,
    onStage,
    vegeta: ctx.vegeta,
    outDir: join(ctx.work, label),
    scale: 1,
    timeScale: 1,
    maxWorkers: 5000,
    timeoutSeconds: 5,
    ctx: plainContext(baseUrl, { kafkaBrokers: ctx.brokers, topicPrefix: ctx.topicPrefix }),
    keepResults: false,
    log,
  });
  const wall = (t1 - t0) / 1000;
  const summary = result.perStage.steady;
  if (!summary) throw new Error(`${label}: no measured stage`);
  const processes = Object.fromEntries(
    Object.keys(after).map((name) => {
      const a = after[name] as ProcStat;
      const b = before[name] as ProcStat;
      const cores = (a.cpuSeconds - b.cpuSeconds) / wall;
      return [
        name,
        {
          cores,
          cpuMsPerRequest: (cores * 1000) / Math.max(1, summary.throughput),
          rssMiB: a.rssBytes / 2 ** 20,
        },
      ];
    }),
  );
  log(
    `${label}: p50 ${summary.latency.p50.toFixed(2)} p99 ${summary.latency.p99.toFixed(2)} p99.9 ${summary.latency["p99.9"].toFixed(2)} ms, ${summary.throughput.toFixed(0)}/s`,
  );
  return { label, rate: scenario.stages.at(-1)?.rate ?? 0, summary, processes, plot: result.plotFile };
}

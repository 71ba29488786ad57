// Runs one scenario against a running service: its stages one after another through vegeta, its side
// actions and samplers on the same clock, then merges the results, evaluates thresholds and checks,
// and writes the summary JSON and the PNG. Starts no service: it only sends requests and runs the
// commands the user named.
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { plot } from "./plot.ts";
import { type Outcome, perSecond, type SecondBucket, type Summary, summarize, toOutcome } from "./results.ts";
import type { ActionContext, CheckResult, Scenario, Stage, Traffic } from "./scenario.ts";
import { evaluate, type Threshold, type Verdict } from "./thresholds.ts";
import { attack, decode, report } from "./vegeta.ts";

export interface RunOptions {
  readonly scenario: Scenario;
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly thresholds: readonly Threshold[];
  /** The next request body for a stage's traffic (bodies.ts's BodyFactory, or a bench's replay). */
  readonly body: (traffic: Traffic | undefined) => string;
  /** Called around each stage, e.g. to read a process's CPU time over exactly the measured stage. */
  readonly onStage?: (stage: Stage, phase: "start" | "end") => void | Promise<void>;
  readonly vegeta: string;
  readonly outDir: string;
  /** Multiplies every stage's rate. */
  readonly scale: number;
  /** Multiplies every stage's duration, side action's time and sampler's period (at least 1 s). */
  readonly timeScale: number;
  readonly maxWorkers: number;
  readonly timeoutSeconds: number;
  readonly ctx: Omit<ActionContext, "mark" | "log">;
  /** Keep vegeta's binary result files (they hold every response body). */
  readonly keepResults: boolean;
  readonly log: (line: string) => void;
}

export interface RunResult {
  readonly scenario: string;
  readonly stages: readonly Stage[];
  readonly summary: Summary;
  readonly perStage: Record<string, Summary>;
  readonly verdicts: readonly Verdict[];
  readonly checks: readonly CheckResult[];
  readonly vegetaReport: string;
  readonly plotFile: string;
  readonly marks: Record<string, number>;
  readonly perSecond: readonly SecondBucket[];
  readonly pass: boolean;
}

export function scaledStages(s: Scenario, scale: number, timeScale: number): Stage[] {
  return s.stages.map((st) => ({
    ...st,
    rate: Math.max(1, Math.round(st.rate * scale)),
    seconds: Math.max(1, Math.round(st.seconds * timeScale)),
  }));
}

export async function runScenario(o: RunOptions): Promise<RunResult> {
  const s = o.scenario;
  const stages = scaledStages(s, o.scale, o.timeScale);
  await mkdir(o.outDir, { recursive: true });
  const marks = new Map<string, number>();
  const ctx: ActionContext = {
    ...o.ctx,
    mark: (name, atMs = Date.now()) => void marks.set(name, atMs),
    log: (m) => o.log(`  [${new Date().toISOString().slice(11, 23)}] ${m}`),
  };

  const started = Date.now();
  const failures: string[] = [];
  const timers = (s.actions ?? []).map((a) => {
    const atMs = a.at * o.timeScale * 1000;
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => {
      done = r;
    });
    const timer = setTimeout(() => {
      ctx.log(`side action ${a.name}`);
      a.run(ctx)
        .catch((e: Error) => failures.push(`${a.name}: ${e.message}`))
        .finally(done);
    }, atMs);
    return { timer, finished };
  });
  const samples = new Map<string, { atMs: number; values: Record<string, number> }[]>();
  const samplerTimers = (s.samplers ?? []).map((sm) => {
    const list: { atMs: number; values: Record<string, number> }[] = [];
    samples.set(sm.name, list);
    const tick = () =>
      sm.sample(ctx).then(
        (values) => void list.push({ atMs: Date.now(), values }),
        (e: Error) => ctx.log(`sampler ${sm.name}: ${e.message}`),
      );
    void tick();
    return setInterval(tick, Math.max(1000, sm.everySeconds * o.timeScale * 1000));
  });

  const files: string[] = [];
  let planned = 0;
  try {
    for (const [i, st] of stages.entries()) {
      const file = join(o.outDir, `results-${i}-${st.name}.bin`);
      if (!st.warmup) {
        files.push(file);
        planned += st.rate * st.seconds;
      }
      ctx.log(
        `stage ${st.name}: ${st.rate}/s for ${st.seconds}s${st.warmup ? " (warm-up, not measured)" : ""}`,
      );
      await o.onStage?.(st, "start");
      await attack({
        vegeta: o.vegeta,
        name: st.name,
        rate: st.rate,
        seconds: st.seconds,
        url: `${o.baseUrl}/v1/score`,
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${o.apiKey}` },
        body: () => o.body(st.traffic),
        output: file,
        maxWorkers: o.maxWorkers,
        timeoutSeconds: o.timeoutSeconds,
      });
      await o.onStage?.(st, "end");
      if (st.warmup) await rm(file, { force: true });
    }
  } finally {
    for (const t of timers) clearTimeout(t.timer);
    for (const t of samplerTimers) clearInterval(t);
  }
  // A side action still running (a restart) finishes before the checks read its marks.
  await Promise.all(timers.map((t) => t.finished));
  for (const f of failures) ctx.log(`side action failed: ${f}`);

  const outcomes: Outcome[] = [];
  for (const f of files) for await (const r of decode(o.vegeta, f)) outcomes.push(toOutcome(r));
  const vegetaReport = await report(o.vegeta, files, "text");
  const summary = summarize(outcomes, planned);
  const perStage: Record<string, Summary> = {};
  for (const st of stages.filter((x) => !x.warmup)) {
    perStage[st.name] = summarize(
      outcomes.filter((x) => x.stage === st.name),
      st.rate * st.seconds,
    );
  }
  const verdicts = evaluate(o.thresholds, summary);
  const checks: CheckResult[] = [
    ...failures.map((f) => ({ name: "side action", pass: false, detail: f })),
    ...(await Promise.all((s.checks ?? []).map((c) => c.run({ outcomes, marks, samples, ctx })))),
  ];
  const plotFile = join(o.outDir, `${s.name}.png`);
  const t0 = outcomes.reduce((m, x) => Math.min(m, x.atMs), started);
  const buckets = perSecond(outcomes);
  plot(plotFile, {
    title: `${s.name}: latency and status per second (${new Date(started).toISOString().slice(0, 16)})`,
    buckets,
    marks: [...marks.entries()].map(([label, at]) => ({ second: (at - t0) / 1000, label })),
  });
  if (!o.keepResults) for (const f of files) await rm(f, { force: true });
  const pass = verdicts.every((v) => v.pass) && checks.every((c) => c.pass);
  const result: RunResult = {
    scenario: s.name,
    stages,
    summary,
    perStage,
    verdicts,
    checks,
    vegetaReport,
    plotFile,
    marks: Object.fromEntries(marks),
    perSecond: buckets,
    pass,
  };
  await writeFile(join(o.outDir, `${s.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

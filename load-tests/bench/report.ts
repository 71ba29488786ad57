// load-tests/REPORT.md from one `npm run bench`: the command first, then the issue-15 targets per run
// for each SCORING_WORKERS count, every measured steady (latency, throughput, CPU and memory per
// process), ratios to the floors, the step searches, feature freshness, and the plots.
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { percentile, type Summary } from "../src/results.ts";
import type { FreshnessSummary } from "./ingest.ts";

export interface Measured {
  readonly label: string;
  readonly rate: number;
  readonly summary: Summary;
  readonly processes: Record<string, { cores: number; cpuMsPerRequest: number; rssMiB: number }>;
  /** The run's own PNG; once copied beside the report, its path from the report's folder. */
  plot: string;
}

/** One scoring API (SCORING_WORKERS = workers) measured in one run. */
export interface ApiRun {
  readonly workers: number;
  readonly stack: Measured;
  readonly flagged: Measured;
  readonly freshness: FreshnessSummary;
  readonly ingestProduced: number;
}

export interface BenchRun {
  readonly floors: Measured[];
  /** In the order of --workers. */
  readonly apis: ApiRun[];
}

export interface BenchReport {
  readonly command: string;
  readonly run: string;
  readonly rate: number;
  readonly seconds: number;
  readonly days: number;
  readonly runs: BenchRun[];
  /** Per workers count, the rates tried in order until the first miss. */
  readonly searches: { readonly workers: number; readonly steps: Measured[] }[];
  readonly pids: Record<string, number | null>;
}

/** Every measurement of the report, in the order its plots are listed. */
export function measuredOf(r: BenchReport): Measured[] {
  return [
    ...r.runs.flatMap((x) => [...x.apis.flatMap((a) => [a.stack, a.flagged]), ...x.floors]),
    ...r.searches.flatMap((s) => s.steps),
  ];
}

const f = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : "-");
// Counts print as integers, everything else with two decimals.
const fmt = (v: number) => (Number.isInteger(v) ? String(v) : f(v));
const median = (xs: number[]) => percentile(Float64Array.from(xs).sort(), 50);
const floorOf = (r: BenchRun, kind: string) =>
  r.floors.find((x) => x.label.endsWith(`floor-${kind}`)) as Measured;
const apiCpu = (m: Measured) => m.processes["scoring-api"]?.cpuMsPerRequest ?? Number.NaN;

function measuredRow(m: Measured): string {
  const s = m.summary;
  const procs = Object.entries(m.processes)
    .map(([n, p]) => `${n} ${f(p.cores)} cores, ${f(p.cpuMsPerRequest, 3)} ms/req, ${f(p.rssMiB, 0)} MiB`)
    .join("; ");
  const codes = Object.entries(s.codes)
    .map(([c, n]) => `${c}:${n}`)
    .join(" ");
  const modes =
    Object.entries(s.modes)
      .map(([c, n]) => `${c}:${n}`)
      .join(" ") || "-";
  return `| ${m.label} | ${m.rate} | ${f(s.latency.p50)} | ${f(s.latency.p99)} | ${f(s.latency["p99.9"])} | ${f(s.latency.max)} | ${f(s.throughput, 0)} | ${s.errors} | ${s.dropped} | ${codes} | ${modes} | ${procs} |`;
}

const apiOf = (x: BenchRun, workers: number) => x.apis.find((a) => a.workers === workers) as ApiRun;
const degradedShare = (m: Measured) => {
  const all = Object.values(m.summary.modes).reduce((n, v) => n + v, 0);
  return all > 0 ? (m.summary.modes.degraded ?? 0) / all : 0;
};
const searchBest = (steps: Measured[]) =>
  steps.filter((m) => m.summary.latency.p99 < 200 && m.summary.errors === 0).at(-1)?.rate;
const STEADY_HEAD = [
  "| run | rate/s | p50 | p99 | p99.9 | max | req/s | errors | dropped | codes | modes | CPU and memory per process |",
  "|---|---|---|---|---|---|---|---|---|---|---|---|",
];

function targetLines(r: BenchReport, workers: number): string[] {
  const target = (name: string, values: number[], ok: (v: number) => boolean, unit: string) =>
    `| ${name} | ${values.map((v) => `${fmt(v)}${unit}`).join(" / ")} | ${fmt(median(values))}${unit} | ${values.every(ok) ? "met" : "**missed**"} |`;
  const of = (pick: (a: ApiRun, x: BenchRun) => number) => r.runs.map((x) => pick(apiOf(x, workers), x));
  const floorP99 = (x: BenchRun) => floorOf(x, "http").summary.latency.p99;
  const search = r.searches.find((s) => s.workers === workers);
  const best = search ? searchBest(search.steps) : undefined;
  return [
    `### SCORING_WORKERS=${workers}`,
    "",
    "| target | per run | median | verdict |",
    "|---|---|---|---|",
    target(
      `p99 ≤ 10 ms at ${r.rate}/s`,
      of((a) => a.stack.summary.latency.p99),
      (v) => v <= 10,
      " ms",
    ),
    target(
      "p99.9 ≤ 25 ms",
      of((a) => a.stack.summary.latency["p99.9"]),
      (v) => v <= 25,
      " ms",
    ),
    target(
      "errors = 0",
      of((a) => a.stack.summary.errors),
      (v) => v === 0,
      "",
    ),
    target(
      "vegeta drops = 0 (requests not sent on schedule)",
      of((a) => a.stack.summary.dropped),
      (v) => v === 0,
      "",
    ),
    target(
      "p99 ≤ 4 × node:http floor p99",
      of((a, x) => a.stack.summary.latency.p99 / floorP99(x)),
      (v) => v <= 4,
      "×",
    ),
    target(
      "flagged p99 ≤ 8 × floor p99",
      of((a, x) => a.flagged.summary.latency.p99 / floorP99(x)),
      (v) => v <= 8,
      "×",
    ),
    target(
      "API CPU ≤ 0.35 ms per checkout",
      of((a) => apiCpu(a.stack)),
      (v) => v <= 0.35,
      " ms",
    ),
    target(
      "feature freshness p99 ≤ 50 ms",
      of((a) => a.freshness.p99),
      (v) => v <= 50,
      " ms",
    ),
    `| highest constant rate with p99 < 200 ms ≥ 2,500/s | ${search ? `${best ?? "none"}/s` : "not run"} | | ${best !== undefined && best >= 2500 ? "met" : "**missed**"} |`,
    "",
    `Answered degraded (admission control) at ${r.rate}/s: ${of((a) => degradedShare(a.stack))
      .map((v) => `${f(100 * v, 1)} %`)
      .join(" / ")}; flagged: ${of((a) => degradedShare(a.flagged))
      .map((v) => `${f(100 * v, 1)} %`)
      .join(" / ")}.`,
    "",
  ];
}

export async function writeReport(file: string, r: BenchReport): Promise<void> {
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"]).toString().trim();
  const workers = (r.runs[0]?.apis ?? []).map((a) => a.workers);
  const lines = [
    "# Load-test report (`npm run bench`)",
    "",
    "```",
    r.command,
    "```",
    "",
    `Commit ${commit}, ${new Date().toISOString()}, ${cpus().length} cores, load average at the end ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}` +
      ` (a load average above the core count means other work shared the machine: the numbers are then not the quiet-machine numbers the targets are about).`,
    `World: ${r.days} simulated days; checkouts replayed in time order; feature-ingest consumed a replay of the world's other events during each stack run. Each steady: ${r.rate}/s for ${r.seconds} s after a 5 s warm-up at the same rate, by vegeta (open model, constant rate). Scoring APIs: SCORING_WORKERS ${workers.join(", ")}, all running the whole time, measured in turn (each run starting with the next count).`,
    "",
    "## Issue-15 targets (one value per run / median)",
    "",
    ...workers.flatMap((w) => targetLines(r, w)),
    "## Every measured steady",
    "",
    "Latencies in ms from vegeta (sent to answered); CPU is the user+system time of the process and its descendants (node:cluster workers) over the measured stage divided by its wall time; ms/req divides by the answered throughput; memory is the resident set at the end, summed the same way.",
    "",
    ...STEADY_HEAD,
    ...r.runs.flatMap((x) => [...x.floors, ...x.apis.flatMap((a) => [a.stack, a.flagged])].map(measuredRow)),
    "",
    "## Ratios to the floors (p99 of the stack / p99 of the floor, same run)",
    "",
    "| run | workers | node:http | Fastify hello | Fastify + Redis read | flagged / node:http |",
    "|---|---|---|---|---|---|",
    ...r.runs.flatMap((x, i) =>
      x.apis.map((a) => {
        const p = a.stack.summary.latency.p99;
        return `| ${i + 1} | ${a.workers} | ${f(p / floorOf(x, "http").summary.latency.p99)} | ${f(p / floorOf(x, "fastify").summary.latency.p99)} | ${f(p / floorOf(x, "fastify-redis").summary.latency.p99)} | ${f(a.flagged.summary.latency.p99 / floorOf(x, "http").summary.latency.p99)} |`;
      }),
    ),
    "",
    "## Flagged variant",
    "",
    "Every checkout a new, unverified account paying 1,500–4,500 EUR built from the simulator's fraud checkouts (load-tests/src/bodies.ts); the day's review budget is spent within seconds, so most go through the overflow path. Decisions per run:",
    "",
    ...r.runs.flatMap((x, i) =>
      x.apis.map(
        (a) => `- run ${i + 1}, workers ${a.workers}: ${JSON.stringify(a.flagged.summary.decisions)}`,
      ),
    ),
    "",
    "## Step search: highest constant rate with p99 < 200 ms",
    "",
    r.searches.length === 0
      ? "Not run (--no-search)."
      : "Rates in order until the first miss, per workers count; p99 over every answer, 503s included (the 2xx latencies apart are in the plots' summaries).",
    "",
    ...(r.searches.length ? [...STEADY_HEAD, ...r.searches.flatMap((x) => x.steps).map(measuredRow)] : []),
    "",
    "## Feature freshness",
    "",
    "The replay's probe (`npm run replay`, models/simulator/src/replay/freshness.ts) while the stack's steady ran: a failed payment on the probe's card produced to the payments topic every 250 ms; the delay is from the produce call to the first POST /v1/features that counts it, polled every millisecond at first, then spaced by 5 % of the time waited so far. Acked: the produce's share; resolution: from the last poll that missed to the one that saw it (each sample is late by up to this).",
    "",
    "| run | workers | probes | p50 ms | p99 ms | max ms | acked p99 ms | resolution p99 ms | not seen in 10 s | failed | replay events produced |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...r.runs.flatMap((x, i) =>
      x.apis.map((a) => {
        const s = a.freshness;
        return `| ${i + 1} | ${a.workers} | ${s.probes} | ${f(s.p50)} | ${f(s.p99)} | ${f(s.max)} | ${f(s.ackedP99)} | ${f(s.resolutionP99)} | ${s.timeouts} | ${s.errors} | ${a.ingestProduced} |`;
      }),
    ),
    "",
    "## Plots",
    "",
    ...measuredOf(r).map((m) => `![${m.label}](${m.plot})`),
    "",
  ];
  await writeFile(file, `${lines.join("\n")}\n`);
}

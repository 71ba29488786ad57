// load-tests/REPORT.md from one `npm run bench`: the command first, then the issue-15 targets per run,
// every measured steady (latency, throughput, CPU and memory per process), ratios to the floors, the
// step search, feature freshness, and the plots.
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

export interface BenchRun {
  readonly floors: Measured[];
  readonly stack: Measured;
  readonly flagged: Measured;
  readonly freshness: FreshnessSummary;
  readonly ingestProduced: number;
}

export interface BenchReport {
  readonly command: string;
  readonly run: string;
  readonly rate: number;
  readonly seconds: number;
  readonly days: number;
  readonly runs: BenchRun[];
  readonly search: Measured[];
  readonly pids: Record<string, number | null>;
}

const f = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : "-");
// Counts print as integers, everything else with two decimals.
const fmt = (v: number) => (Number.isInteger(v) ? String(v) : f(v));
const median = (xs: number[]) => percentile(Float64Array.from(xs).sort(), 50);
const floorOf = (r: BenchRun, kind: string) =>
  r.floors.find((x) => x.label.endsWith(`floor-${kind}`)) as Measured;
const freshP99 = (r: BenchRun) => r.freshness.p99;
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

export async function writeReport(file: string, r: BenchReport): Promise<void> {
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"]).toString().trim();
  const target = (name: string, values: number[], ok: (v: number) => boolean, unit: string) =>
    `| ${name} | ${values.map((v) => `${fmt(v)}${unit}`).join(" / ")} | ${fmt(median(values))}${unit} | ${values.every(ok) ? "met" : "**missed**"} |`;
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
    `World: ${r.days} simulated days; checkouts replayed in time order; feature-ingest consumed a replay of the world's other events during each stack run. Each steady: ${r.rate}/s for ${r.seconds} s after a 5 s warm-up at the same rate, by vegeta (open model, constant rate).`,
    "",
    "## Issue-15 targets (one value per run / median)",
    "",
    "| target | per run | median | verdict |",
    "|---|---|---|---|",
    target(
      `p99 ≤ 10 ms at ${r.rate}/s`,
      r.runs.map((x) => x.stack.summary.latency.p99),
      (v) => v <= 10,
      " ms",
    ),
    target(
      "p99.9 ≤ 25 ms",
      r.runs.map((x) => x.stack.summary.latency["p99.9"]),
      (v) => v <= 25,
      " ms",
    ),
    target(
      "errors = 0",
      r.runs.map((x) => x.stack.summary.errors),
      (v) => v === 0,
      "",
    ),
    target(
      "vegeta drops = 0 (requests not sent on schedule)",
      r.runs.map((x) => x.stack.summary.dropped),
      (v) => v === 0,
      "",
    ),
    target(
      "p99 ≤ 4 × node:http floor p99",
      r.runs.map((x) => x.stack.summary.latency.p99 / floorOf(x, "http").summary.latency.p99),
      (v) => v <= 4,
      "×",
    ),
    target(
      "flagged p99 ≤ 8 × floor p99",
      r.runs.map((x) => x.flagged.summary.latency.p99 / floorOf(x, "http").summary.latency.p99),
      (v) => v <= 8,
      "×",
    ),
    target(
      "API CPU ≤ 0.35 ms per checkout",
      r.runs.map((x) => apiCpu(x.stack)),
      (v) => v <= 0.35,
      " ms",
    ),
    target("feature freshness p99 ≤ 50 ms", r.runs.map(freshP99), (v) => v <= 50, " ms"),
  ];
  const ok = r.search.filter((m) => m.summary.latency.p99 < 200 && m.summary.errors === 0);
  const best = ok.at(-1)?.rate;
  lines.push(
    `| highest constant rate with p99 < 200 ms ≥ 2,500/s | ${r.search.length ? `${best ?? "none"}/s` : "not run"} | | ${best !== undefined && best >= 2500 ? "met" : "**missed**"} |`,
    "",
    "## Every measured steady",
    "",
    "Latencies in ms from vegeta (sent to answered); CPU is the process's user+system time over the measured stage divided by its wall time; ms/req divides by the answered throughput; memory is the resident set at the end.",
    "",
    "| run | rate/s | p50 | p99 | p99.9 | max | req/s | errors | dropped | codes | modes | CPU and memory per process |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...r.runs.flatMap((x) => [...x.floors, x.stack, x.flagged].map(measuredRow)),
    "",
    "## Ratios to the floors (p99 of the stack / p99 of the floor, same run)",
    "",
    "| run | node:http | Fastify hello | Fastify + Redis read | flagged / node:http |",
    "|---|---|---|---|---|",
    ...r.runs.map((x, i) => {
      const p = x.stack.summary.latency.p99;
      return `| ${i + 1} | ${f(p / floorOf(x, "http").summary.latency.p99)} | ${f(p / floorOf(x, "fastify").summary.latency.p99)} | ${f(p / floorOf(x, "fastify-redis").summary.latency.p99)} | ${f(x.flagged.summary.latency.p99 / floorOf(x, "http").summary.latency.p99)} |`;
    }),
    "",
    "## Flagged variant",
    "",
    "Every checkout a new, unverified account paying 1,500–4,500 EUR built from the simulator's fraud checkouts (load-tests/src/bodies.ts); the day's review budget is spent within seconds, so most go through the overflow path. Decisions per run:",
    "",
    ...r.runs.map((x, i) => `- run ${i + 1}: ${JSON.stringify(x.flagged.summary.decisions)}`),
    "",
    "## Step search: highest constant rate with p99 < 200 ms",
    "",
    r.search.length === 0 ? "Not run (--no-search)." : "Rates in order until the first miss.",
    "",
    ...(r.search.length
      ? [
          "| run | rate/s | p50 | p99 | p99.9 | max | req/s | errors | dropped | codes | modes | CPU and memory per process |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|",
          ...r.search.map(measuredRow),
        ]
      : []),
    "",
    "## Feature freshness",
    "",
    "The replay's probe (`npm run replay`, models/simulator/src/replay/freshness.ts) while the stack's steady ran: a failed payment on the probe's card produced to the payments topic every 250 ms; the delay is from the produce call to the first POST /v1/features that counts it, polled every millisecond. Acked: the produce's share; resolution: from the last poll that missed to the one that saw it (each sample is late by up to this).",
    "",
    "| run | probes | p50 ms | p99 ms | max ms | acked p99 ms | resolution p99 ms | not seen in 10 s | failed | replay events produced |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...r.runs.map((x, i) => {
      const s = x.freshness;
      return `| ${i + 1} | ${s.probes} | ${f(s.p50)} | ${f(s.p99)} | ${f(s.max)} | ${f(s.ackedP99)} | ${f(s.resolutionP99)} | ${s.timeouts} | ${s.errors} | ${x.ingestProduced} |`;
    }),
    "",
    "## Plots",
    "",
    ...[...r.runs.flatMap((x) => [x.stack, x.flagged, ...x.floors]), ...r.search].map(
      (m) => `![${m.label}](${m.plot})`,
    ),
    "",
  );
  await writeFile(file, `${lines.join("\n")}\n`);
}

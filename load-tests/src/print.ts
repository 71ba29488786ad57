// The run's summary as people read it: vegeta's own report of the merged stages, a line per stage,
// one per threshold and check, and a one-line verdict.
import type { Summary } from "./results.ts";
import type { RunResult } from "./runner.ts";

const ms = (v: number) => `${v.toFixed(2)}ms`;

export function stageLine(name: string, s: Summary): string {
  const codes = Object.entries(s.codes)
    .map(([c, n]) => `${c}:${n}`)
    .join(" ");
  const modes = Object.entries(s.modes)
    .map(([m, n]) => `${m}:${n}`)
    .join(" ");
  return (
    `${name.padEnd(14)} requests ${s.requests} (dropped ${s.dropped}), throughput ${s.throughput.toFixed(1)}/s, ` +
    `p50 ${ms(s.latency.p50)} p99 ${ms(s.latency.p99)} p99.9 ${ms(s.latency["p99.9"])} max ${ms(s.latency.max)}, ` +
    `codes ${codes}, modes ${modes || "-"}` +
    (s.success < 1
      ? `, 2xx alone p50 ${ms(s.answered.p50)} p99 ${ms(s.answered.p99)} p99.9 ${ms(s.answered["p99.9"])}`
      : "")
  );
}

export function printResult(r: RunResult, out: (line: string) => void): void {
  out("");
  out(r.vegetaReport.trimEnd());
  out("");
  for (const st of r.stages.filter((x) => !x.warmup)) out(stageLine(st.name, r.perStage[st.name] as Summary));
  out(`decisions      ${JSON.stringify(r.summary.decisions)}`);
  out("");
  for (const v of r.verdicts) {
    const unit = /^(p[0-9.]+|max|mean)$/.test(v.threshold.metric) ? "ms" : "";
    const actual = Number.isInteger(v.actual) ? String(v.actual) : v.actual.toFixed(unit ? 2 : 4);
    out(`${v.pass ? "PASS" : "FAIL"} threshold ${v.threshold.text}: ${actual}${unit}`);
  }
  for (const c of r.checks) out(`${c.pass ? "PASS" : "FAIL"} check ${c.name}: ${c.detail}`);
  out(`plot: ${r.plotFile}`);
  const failed = r.verdicts.filter((v) => !v.pass).length + r.checks.filter((c) => !c.pass).length;
  const total = r.verdicts.length + r.checks.length;
  out(
    r.pass
      ? `VERDICT ${r.scenario}: PASS (${total} of ${total} thresholds and checks)`
      : `VERDICT ${r.scenario}: FAIL (${failed} of ${total} thresholds and checks missed)`,
  );
}

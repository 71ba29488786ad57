// Checks shared by scenarios: "after this instant, within N ms, every answer is like this", a command
// the user named run as a side action, and the per-window comparisons of a soak.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { type Outcome, percentile } from "./results.ts";
import type { Check, CheckInput, CheckResult } from "./scenario.ts";

export interface SettleSpec {
  readonly name: string;
  /** Mark the window starts at. */
  readonly after: string;
  /** Mark the window ends at (default: the end of the run). */
  readonly until?: string;
  readonly withinMs: number;
  readonly want: string;
  readonly predicate: (o: Outcome) => boolean;
}

/**
 * The time from `after` until every later answer (sent before `until`) satisfies the predicate; passes
 * when that time is at most withinMs and the window held at least one request after it.
 */
export function settles(spec: SettleSpec): Check {
  return {
    name: spec.name,
    run: ({ outcomes, marks }: CheckInput): CheckResult => {
      const from = marks.get(spec.after);
      const to = spec.until === undefined ? Number.POSITIVE_INFINITY : marks.get(spec.until);
      if (from === undefined || to === undefined)
        return { name: spec.name, pass: false, detail: `mark ${spec.after}/${spec.until} never happened` };
      const window = outcomes.filter((o) => o.atMs >= from && o.atMs < to).sort((a, b) => a.atMs - b.atMs);
      let lastBad = -1;
      window.forEach((o, i) => {
        if (!spec.predicate(o)) lastBad = i;
      });
      if (lastBad === window.length - 1)
        return {
          name: spec.name,
          pass: false,
          detail: `never settled to ${spec.want} (${window.length} requests)`,
        };
      const settledAt = lastBad < 0 ? from : (window[lastBad] as Outcome).atMs;
      const ms = Math.round(settledAt - from);
      const later = window.length - lastBad - 1;
      return {
        name: spec.name,
        pass: ms <= spec.withinMs,
        detail: `${spec.want} ${ms} ms after ${spec.after} (limit ${spec.withinMs} ms; ${later} requests after it all ${spec.want})`,
      };
    },
  };
}

/** Runs `<command> <verb>` through bash (the command the user named, e.g. 'bash infra/dev/redis.sh'). */
export async function runControl(command: string, verb: string, log: (m: string) => void): Promise<void> {
  const child = spawn("bash", ["-c", `${command} ${verb}`], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const [code] = (await once(child, "exit")) as [number | null];
  log(`${command} ${verb}: exit ${code}`);
  if (code !== 0) throw new Error(`${command} ${verb} exited with ${code}: ${out.trim().slice(-500)}`);
}

/** p99 of the requests sent in [fromMs, toMs). */
export function p99Between(outcomes: readonly Outcome[], fromMs: number, toMs: number): number {
  const lat = Float64Array.from(
    outcomes.filter((o) => o.atMs >= fromMs && o.atMs < toMs),
    (o) => o.latencyMs,
  ).sort();
  return percentile(lat, 99);
}

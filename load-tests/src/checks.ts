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
  /**
   * Share of later answers allowed to miss the predicate (default 0). A Redis read past its budget
   * answers `degraded` on any loaded machine: a recovery is judged on the share, not on every answer.
   */
  readonly tolerance?: number;
}

/**
 * The time from `after` until the later answers (sent before `until`) satisfy the predicate, all of them
 * or all but `tolerance` of them; passes when that time is at most withinMs and requests followed it.
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
      // Earliest i from which the suffix misses the predicate at most `tolerance` of the time.
      const tolerance = spec.tolerance ?? 0;
      let bad = 0;
      let settled = window.length;
      for (let i = window.length - 1; i >= 0; i--) {
        const good = spec.predicate(window[i] as Outcome);
        if (!good) bad++;
        if (good && bad <= tolerance * (window.length - i)) settled = i;
      }
      if (settled === window.length)
        return {
          name: spec.name,
          pass: false,
          detail: `never settled to ${spec.want} (${window.length} requests)`,
        };
      const ms = Math.round((window[settled] as Outcome).atMs - from);
      const later = window.length - settled;
      const share = tolerance > 0 ? `at least ${100 - tolerance * 100} % ` : "all ";
      return {
        name: spec.name,
        pass: ms <= spec.withinMs,
        detail: `${spec.want} ${ms} ms after ${spec.after} (limit ${spec.withinMs} ms; ${later} requests from then on, ${share}${spec.want})`,
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

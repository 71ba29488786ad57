import type { LatencyHistogram } from "./histogram.ts";
import { DECISIONS, type ReplayStats } from "./stats.ts";

const pct = (n: number, of: number) => (of === 0 ? "  -  " : `${((100 * n) / of).toFixed(1)}%`);
const ms = (v: number) => (Number.isNaN(v) ? "-" : `${v.toFixed(1)} ms`);

/** One line for the progress bar while the replay runs. */
export function liveLine(s: ReplayStats): string {
  const parts = [`${s.produced} produced`];
  if (s.scored > 0)
    parts.push(
      `scored ${s.scored} (${s.decisions.allow}/${s.decisions.review}/${s.decisions.block} a/r/b, p99 ${ms(s.scoreLatency.quantile(0.99))})`,
    );
  if (s.freshness.visible.count > 0) parts.push(`fresh p99 ${ms(s.freshness.visible.quantile(0.99))}`);
  return parts.join(", ");
}

export interface RunFacts {
  readonly seconds: number;
  readonly shiftDays: number;
  /** Events the feature-ingest counted during the run (its metrics), when reachable. */
  readonly ingested?: number;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("   "),
  );
}

/** The final table: decisions, fraud caught and missed, reviews per day, latency, freshness, delivery. */
export function finalReport(s: ReplayStats, facts: RunFacts): string {
  const out: string[] = [];
  const fraudTotal = s.fraud.allow + s.fraud.review + s.fraud.block;
  if (s.scored > 0) {
    out.push(
      "Decisions",
      ...table([
        ["", "checkouts", "share", "fraud", "legit"],
        ...DECISIONS.map((d) => [
          d,
          String(s.decisions[d]),
          pct(s.decisions[d], s.scored),
          String(s.fraud[d]),
          String(s.legit[d]),
        ]),
        ["total", String(s.scored), "100%", String(fraudTotal), String(s.scored - fraudTotal)],
      ]).map((l) => `  ${l}`),
      "",
    );
    out.push(
      "Fraud",
      `  caught by block    ${String(s.fraud.block).padStart(6)}   ${pct(s.fraud.block, fraudTotal)}`,
      `  caught by review   ${String(s.fraud.review).padStart(6)}   ${pct(s.fraud.review, fraudTotal)}`,
      `  missed (allowed)   ${String(s.fraud.allow).padStart(6)}   ${pct(s.fraud.allow, fraudTotal)}`,
      "",
      "Reviews per simulated day",
      ...[...s.reviewsByDay]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([day, n]) => `  ${day}   ${String(n).padStart(6)}`),
      ...(s.reviewsByDay.size === 0 ? ["  none"] : []),
      "",
      "Scoring",
      `  latency p50 / p99  ${ms(s.scoreLatency.quantile(0.5))} / ${ms(s.scoreLatency.quantile(0.99))}   (client side, ${s.scoreLatency.count} requests)`,
      `  degraded share     ${pct(s.modes.get("degraded") ?? 0, s.scored)}   modes: ${[...s.modes].map(([m, n]) => `${m} ${n}`).join(", ")}`,
      ...(s.failures.size > 0
        ? [
            `  no decision        ${[...s.failures].map(([st, n]) => `${n} × HTTP ${st || "none"}`).join(", ")}`,
          ]
        : []),
      "",
    );
  }
  out.push(
    "Freshness (probe event -> visible to POST /v1/features)",
    ...freshnessLines(s),
    "",
    "Delivery",
    `  world events produced   ${s.produced}   (+ ${s.probesProduced} probe events, not counted elsewhere)`,
    facts.ingested === undefined
      ? "  ingested                unknown (feature-ingest metrics unreachable)"
      : `  ingested (all topics)   ${facts.ingested - s.probesProduced}   ${facts.ingested - s.probesProduced >= s.produced ? "none lost" : `${s.produced - (facts.ingested - s.probesProduced)} MISSING`}`,
    `  time                    ${facts.seconds.toFixed(1)} s, ${(s.produced / Math.max(facts.seconds, 0.001)).toFixed(0)} events/s; world shifted by ${facts.shiftDays} days`,
  );
  return out.join("\n");
}

function freshnessLines(s: ReplayStats): string[] {
  const { visible, acked, pollSpan } = s.freshness;
  const p50p99 = (h: LatencyHistogram) => `${ms(h.quantile(0.5))} / ${ms(h.quantile(0.99))}`;
  const notes = [
    `${visible.count} probes`,
    ...(s.freshnessTimeouts > 0 ? [`${s.freshnessTimeouts} not seen within 10 s`] : []),
    ...(s.freshnessUnavailable > 0 ? [`${s.freshnessUnavailable} answers 503 while polling`] : []),
    ...(s.freshnessErrors > 0 ? [`${s.freshnessErrors} failed, last: ${s.freshnessLastError}`] : []),
  ];
  if (visible.count === 0)
    return [
      `  no probe seen${s.freshnessErrors > 0 ? ` (${s.freshnessErrors} failed: produce or POST /v1/features)` : ""}`,
    ];
  return [
    `  p50 / p99          ${p50p99(visible)}   (${notes.join(", ")})`,
    `  produce acked      ${p50p99(acked)}   (the Kafka share of each sample)`,
    `  probe resolution   ${p50p99(pollSpan)}   (last poll that missed -> poll that saw it: each sample is late by up to this)`,
  ];
}

// The Grafana dashboard and the alert rules may only query metrics the services really expose: every
// riskgate_* name in a PromQL expression must be declared by the live registries (scoring-api after
// scoring checkouts on Redis, the process metrics main.ts adds, a running feature-ingest, and the
// gauges the daily missed-fraud monitor writes, npm run monitor, run for real).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type ApiHarness, startApi } from "@riskgate/test-support/api-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  type LiveIngest,
  processRegistry,
  registeredNames,
  scoreSome,
  startLiveIngest,
} from "./observability-support.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const METRIC = /\briskgate_[a-z0-9_]+/g;
const HISTOGRAM_SERIES = /_(bucket|sum|count)$/;

interface Panel {
  title?: string;
  type?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

function panelsOf(list: Panel[]): Panel[] {
  return list.flatMap((p) => [p, ...panelsOf(p.panels ?? [])]);
}

function namesIn(expr: string): string[] {
  return [...expr.matchAll(METRIC)].map((m) => m[0]);
}

/** The metric names `npm run monitor --textfile` writes (the champion, no labels yet). */
function monitorNames(): string[] {
  const dir = mkdtempSync(join(tmpdir(), "riskgate-monitor-"));
  writeFileSync(join(dir, "empty.jsonl"), "");
  const run = spawnSync(
    resolve(ROOT, "models/training/.venv/bin/python"),
    [
      "-m",
      "riskgate_training",
      "monitor",
      "--decisions",
      join(dir, "empty.jsonl"),
      "--labels",
      join(dir, "empty.jsonl"),
      "--textfile",
      join(dir, "monitor.prom"),
    ],
    { encoding: "utf8", env: { ...process.env, PYTHONPATH: resolve(ROOT, "models/training") } },
  );
  if (run.status !== 0) throw new Error(`npm run monitor exited ${run.status}: ${run.stderr}`);
  return readFileSync(join(dir, "monitor.prom"), "utf8")
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => l.split(/[{ ]/)[0] as string);
}

/** riskgate_x_bucket → riskgate_x when riskgate_x is declared (a histogram's series). */
function declared(name: string, names: ReadonlySet<string>): boolean {
  return names.has(name) || (HISTOGRAM_SERIES.test(name) && names.has(name.replace(HISTOGRAM_SERIES, "")));
}

describe("dashboard and alerts reference only real metrics", () => {
  let api: ApiHarness;
  let ingest: LiveIngest;
  let names: Set<string>;
  const dashboard = JSON.parse(
    readFileSync(resolve(ROOT, "infra/grafana/dashboards/riskgate.json"), "utf8"),
  ) as {
    uid: string;
    panels: Panel[];
  };
  const panels = panelsOf(dashboard.panels);
  const exprs = panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ panel: p.title ?? "?", expr: t.expr ?? "" })),
  );

  beforeAll(async () => {
    [api, ingest] = await Promise.all([startApi({ redis: true }), startLiveIngest("dashboard")]);
    await scoreSome(api, "dashboard", 4);
    names = new Set([
      ...(await registeredNames(api.registry)),
      ...(await registeredNames(processRegistry("scoring-api"))),
      ...(await registeredNames(ingest.registry)),
      ...monitorNames(),
    ]);
  });
  afterAll(async () => {
    await api?.close();
    await ingest?.close();
  });

  it("the check tells real names from made-up ones", () => {
    expect(declared("riskgate_score_duration_seconds_bucket", names)).toBe(true);
    expect(declared("riskgate_decisions_total", names)).toBe(true);
    expect(declared("riskgate_no_such_metric_total", names)).toBe(false);
    expect(declared("riskgate_decisions_bucket", names)).toBe(false);
  });

  it("every metric in every dashboard query exists", () => {
    expect(exprs.length).toBeGreaterThan(20);
    const unknown = exprs.flatMap(({ panel, expr }) =>
      namesIn(expr)
        .filter((n) => !declared(n, names))
        .map((n) => `${panel}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it("every metric in every alert rule exists", () => {
    const doc = parse(readFileSync(resolve(ROOT, "infra/prometheus/alerts.yml"), "utf8")) as {
      groups: { rules: { alert?: string; expr: string }[] }[];
    };
    const unknown = doc.groups
      .flatMap((g) => g.rules)
      .flatMap((r) =>
        namesIn(r.expr)
          .filter((n) => !declared(n, names))
          .map((n) => `${r.alert}: ${n}`),
      );
    expect(unknown).toEqual([]);
  });

  it("has a panel for each metric family the issue lists", () => {
    const used = new Set(
      exprs.flatMap(({ expr }) => namesIn(expr)).map((n) => n.replace(HISTOGRAM_SERIES, "")),
    );
    const wanted = [
      "riskgate_decisions_total",
      "riskgate_score_duration_seconds",
      "riskgate_score_stage_duration_seconds",
      "riskgate_rule_hits_total",
      "riskgate_model_info",
      "riskgate_kill_switch_engaged",
      "riskgate_breaker_state",
      "riskgate_review_queue_depth",
      "riskgate_review_oldest_open_age_seconds",
      "riskgate_review_overdue_total",
      "riskgate_review_budget_used",
      "riskgate_ingest_consumer_lag",
      "riskgate_ingest_events_total",
      "riskgate_ingest_dead_lettered_total",
      "riskgate_decisions_dropped_total",
      "riskgate_features_missing_total",
      "riskgate_features_stale_total",
    ];
    expect(wanted.filter((w) => !used.has(w))).toEqual([]);
  });

  it("queries the provisioned Prometheus datasource", () => {
    const ds = parse(
      readFileSync(resolve(ROOT, "infra/grafana/provisioning/datasources/prometheus.yml"), "utf8"),
    ) as { datasources: { uid: string; type: string }[] };
    const uid = ds.datasources.find((d) => d.type === "prometheus")?.uid;
    expect(uid).toBeTruthy();
    for (const p of panels.filter((x) => x.type !== "row")) {
      expect((p as { datasource?: { uid?: string } }).datasource?.uid, p.title).toBe(uid);
    }
  });
});

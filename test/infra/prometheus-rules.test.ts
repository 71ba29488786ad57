// The Prometheus config and alert rules in infra/prometheus, checked with promtool the way
// Prometheus users check them: syntax (check rules, check config) and behaviour (test rules).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const PROMTOOL = process.env.RISKGATE_PROMTOOL ?? "/usr/bin/promtool";
const DIR = resolve(import.meta.dirname, "../../infra/prometheus");
const REQUIRED_ALERTS = [
  "RiskgateScoreP99OverBudget",
  "RiskgateDegradedMode",
  "RiskgateKillSwitchEngaged",
  "RiskgateConsumerLagHigh",
  "RiskgateReviewBacklogOverSla",
];

function promtool(...args: string[]) {
  if (!existsSync(PROMTOOL)) {
    throw new Error(
      `${PROMTOOL} not found: install Debian's Prometheus (apt-get install prometheus), as .ci/run does`,
    );
  }
  const r = spawnSync(PROMTOOL, args, { encoding: "utf8", cwd: DIR });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

interface Rule {
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

describe("infra/prometheus", () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "rg-rules-"));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("alerts.yml passes promtool check rules", () => {
    const r = promtool("check", "rules", "alerts.yml");
    expect(r.out).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });

  it("prometheus.yml passes promtool check config, rule files included", async () => {
    // A copy with the rule file path made absolute: the check must not depend on the working directory.
    const doc = parse(await readFile(join(DIR, "prometheus.yml"), "utf8")) as { rule_files: string[] };
    expect(doc.rule_files).toEqual(["alerts.yml"]);
    doc.rule_files = doc.rule_files.map((f) => join(DIR, f));
    const copy = join(tmp, "prometheus.yml");
    await writeFile(copy, JSON.stringify(doc));
    const r = promtool("check", "config", copy);
    expect(r.out).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.code).toBe(0);
  });

  it("scrapes both services of the compose network", async () => {
    const doc = parse(await readFile(join(DIR, "prometheus.yml"), "utf8")) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = Object.fromEntries(
      doc.scrape_configs.map((s) => [s.job_name, s.static_configs.flatMap((c) => c.targets)]),
    );
    expect(targets["scoring-api"]).toEqual(["scoring-api:8080"]);
    expect(targets["feature-ingest"]).toEqual(["feature-ingest:9464"]);
  });

  it("has the five alerts the issue names, each with for, severity, summary and description", async () => {
    const doc = parse(await readFile(join(DIR, "alerts.yml"), "utf8")) as { groups: { rules: Rule[] }[] };
    const alerts = doc.groups.flatMap((g) => g.rules).filter((r) => r.alert);
    for (const name of REQUIRED_ALERTS) expect(alerts.map((a) => a.alert)).toContain(name);
    for (const a of alerts) {
      expect(a.for, a.alert).toMatch(/^\d+[smh]$/);
      expect(["critical", "warning"], a.alert).toContain(a.labels?.severity);
      expect(a.annotations?.summary, a.alert).toBeTruthy();
      expect(a.annotations?.description, a.alert).toBeTruthy();
    }
    const p99 = alerts.find((a) => a.alert === "RiskgateScoreP99OverBudget");
    expect(p99?.expr).toMatch(
      /histogram_quantile\(0\.99,.*riskgate_score_duration_seconds_bucket.*\) > 0\.2$/,
    );
  });

  it("alerts.test.yml passes promtool test rules (kill-switch, degraded, latency, lag)", () => {
    const r = promtool("test", "rules", "alerts.test.yml");
    expect(r.out).toContain("SUCCESS");
    expect(r.code).toBe(0);
  });

  it("has the drift alerts of issue 13: a silent upstream stream, and PSI over 0.25 for features and score", async () => {
    const doc = parse(await readFile(join(DIR, "alerts.yml"), "utf8")) as { groups: { rules: Rule[] }[] };
    const byName = new Map(doc.groups.flatMap((g) => g.rules).map((r) => [r.alert, r]));
    expect(byName.get("RiskgateUpstreamStreamSilent")?.expr).toContain(
      "riskgate_feature_default_share_train",
    );
    expect(byName.get("RiskgateFeatureDrift")?.expr).toContain("riskgate_feature_psi > 0.25");
    expect(byName.get("RiskgateScoreDrift")?.expr).toContain("riskgate_score_psi > 0.25");
  });

  it.each([
    [
      "RiskgateUpstreamStreamSilent",
      "riskgate_feature_default_share_train) > 0.3",
      "riskgate_feature_default_share_train) > 0.95",
    ],
    ["RiskgateFeatureDrift", "riskgate_feature_psi > 0.25", "riskgate_feature_psi > 0.5"],
    ["RiskgateScoreDrift", "riskgate_score_psi > 0.25", "riskgate_score_psi > 0.5"],
    ["RiskgateMissedFraud", "(riskgate_missed_fraud_alert) == 1", "(riskgate_missed_fraud_alert) == 2"],
    ["RiskgateMissedFraudMonitorStale", "> 2 * 86400", "> 3 * 86400"],
    ["RiskgateLabelFeedSilent", "[7d] offset 1d)) > 20", "[7d] offset 1d)) > 2000"],
    [
      "RiskgateFraudLabelsShortfall",
      "(riskgate_missed_fraud_label_shortfall_alert) == 1",
      "(riskgate_missed_fraud_label_shortfall_alert) == 2",
    ],
  ])("promtool test rules fails when %s stops firing where it should", async (alert, from, to) => {
    const rules = await readFile(join(DIR, "alerts.yml"), "utf8");
    const broken = rules.replace(from, to);
    expect(broken).not.toBe(rules);
    await writeFile(join(tmp, "alerts.yml"), broken);
    await copyFile(join(DIR, "alerts.test.yml"), join(tmp, "alerts.test.yml"));
    const r = spawnSync(PROMTOOL, ["test", "rules", "alerts.test.yml"], { encoding: "utf8", cwd: tmp });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain(alert);
  });

  it("promtool test rules fails when an alert's behaviour changes (the unit tests can fail)", async () => {
    const rules = await readFile(join(DIR, "alerts.yml"), "utf8");
    const broken = rules.replace(
      "expr: max(riskgate_kill_switch_engaged) > 0",
      "expr: max(riskgate_kill_switch_engaged) > 1",
    );
    expect(broken).not.toBe(rules);
    await writeFile(join(tmp, "alerts.yml"), broken);
    await copyFile(join(DIR, "alerts.test.yml"), join(tmp, "alerts.test.yml"));
    const r = spawnSync(PROMTOOL, ["test", "rules", "alerts.test.yml"], { encoding: "utf8", cwd: tmp });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain("RiskgateKillSwitchEngaged");
  });
});

import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

/**
 * Where the local stack (`npm run stack`) listens and its score key, from the files infra/dev/stack.sh
 * writes; the environment overrides each (RISKGATE_API_URL, RISKGATE_SCORE_KEY, KAFKA_BROKERS,
 * RISKGATE_INGEST_METRICS_URL).
 */
export function stackSettings(repoRoot: string, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const dir = resolve(repoRoot, ".cache/dev/stack");
  const fromFiles: Record<string, string> = {};
  for (const f of ["stack.env", "api-keys.env"]) {
    const path = resolve(dir, f);
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, "utf8").split("\n")) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line);
      if (m?.[1]) fromFiles[m[1]] = m[2] ?? "";
    }
  }
  const pick = (name: string) => env[name] || fromFiles[name];
  return {
    apiUrl: pick("RISKGATE_API_URL"),
    scoreKey: pick("RISKGATE_SCORE_KEY"),
    brokers: pick("KAFKA_BROKERS"),
    ingestMetricsUrl: pick("RISKGATE_INGEST_METRICS_URL"),
  };
}

/** Events the feature-ingest has consumed so far (every outcome), from its Prometheus metrics. */
export async function ingestedCount(metricsUrl: string | undefined): Promise<number | undefined> {
  if (!metricsUrl) return undefined;
  try {
    const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(2_000) })).text();
    return [...text.matchAll(/^riskgate_ingest_events_total\{[^}]*\} (\d+)/gm)].reduce(
      (s, m) => s + Number(m[1]),
      0,
    );
  } catch {
    return undefined;
  }
}

/**
 * Waits until the feature-ingest consumes (its `/readyz`, beside the metrics URL, answers 200), so
 * the first events replayed are not timed while it still joins its consumer group. Returns at once
 * when no ingest URL is known or it has no `/readyz`; gives up after `timeoutMs` (events wait in
 * Kafka meanwhile, none is lost) and says so.
 */
export async function waitForIngest(
  metricsUrl: string | undefined,
  say: (line: string) => void,
  timeoutMs = 60_000,
): Promise<void> {
  if (!metricsUrl) return;
  const readyz = new URL("/readyz", metricsUrl);
  const deadline = Date.now() + timeoutMs;
  let said = false;
  for (;;) {
    const status = await fetch(readyz, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status !== 503) return;
    if (Date.now() >= deadline) {
      say(`feature-ingest still not consuming after ${timeoutMs / 1000} s: replaying anyway\n`);
      return;
    }
    if (!said) say(`waiting for feature-ingest to join its consumer group (${readyz}) ...\n`);
    said = true;
    await delay(250);
  }
}

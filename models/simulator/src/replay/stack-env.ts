import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

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

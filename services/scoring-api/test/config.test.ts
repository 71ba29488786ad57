import { ConfigError } from "@riskgate/common/errors";
import { describe, expect, it } from "vitest";
import { loadApiConfig } from "../src/config.ts";

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadApiConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  return [];
}

describe("SCORING_WORKERS", () => {
  it("refuses workers on the embedded stores, where each would keep its own kill-switch and review queue", () => {
    expect(problemsOf({ SCORING_WORKERS: "2" })).toEqual([
      "SCORING_WORKERS=2 needs REDIS_URL: without it each worker keeps its own kill-switch, review queue, review budget and features",
    ]);
  });

  it("runs workers on a shared Redis, and one process without it", () => {
    expect(problemsOf({ SCORING_WORKERS: "2", REDIS_URL: "redis://127.0.0.1:6379" })).toEqual([]);
    expect(problemsOf({ SCORING_WORKERS: "1" })).toEqual([]);
    expect(loadApiConfig({ SCORING_WORKERS: "4", REDIS_URL: "redis://127.0.0.1:6379" }).scoringWorkers).toBe(
      4,
    );
  });
});

// Overload amplification: a failing dependency must not cost a log line per degraded checkout.
// Every failure is counted in riskgate_dependency_errors_total; the log gets the first warning per
// dependency or step, the rest are left out until the interval passes, and the shutdown reports
// the count still left out.
import { Writable } from "node:stream";
import { createLogger } from "@riskgate/common/logger";
import { composeScoringApi } from "@riskgate/scoring-api/compose";
import { loadApiConfig } from "@riskgate/scoring-api/config";
import { bearer, TOKENS } from "@riskgate/test-support/api-harness";
import { checkout, T0 } from "@riskgate/test-support/events";
import { freePort } from "@riskgate/test-support/service-process";
import { uniquePrefix } from "@riskgate/test-support/services";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";

describe("degradation warnings while a dependency fails", () => {
  it("logs one line per dependency and step for 40 failing checkouts, counts all 40, and the 39 left out at the shutdown", async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l));
        cb();
      },
    });
    // A Redis nobody listens on: the feature read and the side effects fail at once, and a breaker
    // that never opens keeps each one a real failure.
    const redis = new Redis({
      port: await freePort(),
      host: "127.0.0.1",
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    redis.on("error", () => {});
    const config = loadApiConfig({
      RISKGATE_API_KEYS: `score:${TOKENS.score}`,
      REDIS_KEY_PREFIX: uniquePrefix("warnings"),
      BREAKER_FAILURE_THRESHOLD: "10000",
      BREAKER_WINDOW: "0",
    });
    const registry = new Registry();
    const api = await composeScoringApi({
      config,
      logger: createLogger({ level: "info", service: "scoring-api" }, stream),
      registry,
      keys: config.apiKeys,
      redis,
      lagProbe: { lagMs: () => 0 },
      now: () => T0,
    });
    let closed = false;
    try {
      await api.app.ready();
      const N = 40;
      for (let i = 0; i < N; i++) {
        const res = await api.app.inject({
          method: "POST",
          url: "/v1/score",
          headers: bearer(TOKENS.score),
          payload: checkout(`warn-${i}`, T0),
        });
        expect(res.json().mode).toBe("degraded");
      }
      const counted =
        (await registry.getSingleMetric("riskgate_dependency_errors_total")?.get())?.values ?? [];
      const byDependency = Object.fromEntries(counted.map((v) => [v.labels.dependency, v.value]));
      expect(byDependency).toMatchObject({
        features: N,
        decision_store_read: N,
        decision_store_write: N,
        velocity_update: N,
      });
      const warnings = lines.filter(
        (l) => l.msg === "scoring degraded" || l.msg?.toString().startsWith("side effect"),
      );
      const keys = warnings.map((l) => String(l.dependency ?? l.step)).sort();
      expect(keys).toEqual(Object.keys(byDependency).sort());
      expect(warnings.every((l) => l.suppressed === undefined)).toBe(true);

      // The failures stop inside the interval: the service's close path reports what was left out.
      const before = lines.length;
      for (const closer of api.closers) await closer.close();
      closed = true;
      const flushed = lines.slice(before).filter((l) => l.suppressed !== undefined);
      expect(flushed.map((l) => [String(l.dependency ?? l.step), l.suppressed]).sort()).toEqual(
        keys.filter((k) => (byDependency[k] as number) > 1).map((k) => [k, (byDependency[k] as number) - 1]),
      );
    } finally {
      if (!closed) for (const closer of api.closers) await closer.close();
      redis.disconnect();
    }
  });
});

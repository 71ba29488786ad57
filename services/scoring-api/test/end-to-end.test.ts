// A simulated world's events flow through Kafka and feature-ingest into Redis while its checkouts
// arrive over HTTP: every score must equal scoring the backfilled training row offline.

import type { LogEntry } from "@riskgate/feature-store/backfill";
import type { DomainEvent } from "@riskgate/feature-store/events";
import { type ApiHarness, bearer, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { backfilledWorld } from "@riskgate/test-support/backfilled-world";
import { features, IngestHarness } from "@riskgate/test-support/ingest-harness";
import type { Generated } from "@riskgate/test-support/simulated-world";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { championDir } from "../src/model/champion.ts";
import { loadManifest } from "../src/model/manifest.ts";
import { OnnxModel } from "../src/model/onnx-model.ts";

let world: Generated;
let log: LogEntry[];
const offlineScore = new Map<string, number>();

beforeAll(async () => {
  let rows: Map<string, number[]>;
  ({ world, log, rows } = await backfilledWorld(features, { seed: 5, days: 3, checkoutsPerDay: 60 }));
  const dir = await championDir("models/artifacts/champion.json");
  const model = await OnnxModel.load(dir, await loadManifest(dir, features));
  const ids = [...rows.keys()];
  const predictions = await model.predict(ids.map((id) => rows.get(id) as number[]));
  for (const [i, id] of ids.entries()) offlineScore.set(id, predictions[i]?.calibrated as number);
  await model.close();
}, 120_000);

afterAll(async () => {
  await world?.cleanup();
});

describe("serving equals offline scoring of the training rows", () => {
  it("for every checkout of a simulated world, events via Kafka, checkouts via HTTP", async () => {
    const ingest = new IngestHarness("e2e");
    let api: ApiHarness | undefined;
    try {
      await ingest.createTopics();
      const { metrics } = await ingest.startIngest();
      // Parity, not latency: a CPU stall on a shared box must not push a feature read past the
      // 40 ms budget and score that checkout degraded.
      api = await startApi({
        redis: true,
        env: { REDIS_KEY_PREFIX: ingest.keyPrefix, FEATURE_TIMEOUT_MS: "10000" },
      });
      let pending: DomainEvent[] = [];
      let produced = 0;
      let compared = 0;
      for (const { event } of log) {
        if (event.type !== "checkout") {
          pending.push(event);
          continue;
        }
        if (pending.length > 0) {
          produced = await ingest.produceInTimeOrder(pending, metrics, produced, 30_000);
          pending = [];
        }
        const { type: _type, ...body } = event;
        const res = await api.app.inject({
          method: "POST",
          url: "/v1/score",
          headers: bearer(TOKENS.score),
          payload: body,
        });
        expect(res.statusCode).toBe(200);
        const served = res.json();
        expect(served.mode).toBe("normal");
        expect(served.score, event.event_id).toBe(offlineScore.get(event.event_id));
        compared++;
      }
      expect(compared).toBe(offlineScore.size);
      expect(compared).toBeGreaterThan(100);
    } finally {
      await api?.close();
      await ingest.close();
    }
  }, 180_000);
});

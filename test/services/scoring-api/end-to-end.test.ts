// A simulated world's events flow through Kafka and feature-ingest into Redis while its checkouts
// arrive over HTTP: every score must equal scoring the backfilled training row offline.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backfill, ID_COLUMNS, TABLE_FILE } from "../../../feature-store/src/backfill/backfill.ts";
import { type LogEntry, mergedEventLog } from "../../../feature-store/src/backfill/event-log.ts";
import type { DomainEvent } from "../../../feature-store/src/events/index.ts";
import { championDir } from "../../../services/scoring-api/src/model/champion.ts";
import { loadManifest } from "../../../services/scoring-api/src/model/manifest.ts";
import { OnnxModel } from "../../../services/scoring-api/src/model/onnx-model.ts";
import { type Generated, generate } from "../../models/simulator/support.ts";
import { waitFor } from "../../support/services.ts";
import { consumedCount, features, IngestHarness } from "../feature-ingest/harness.ts";
import { type ApiHarness, bearer, startApi, TOKENS } from "./api-harness.ts";

let world: Generated;
let log: LogEntry[];
const offlineScore = new Map<string, number>();

beforeAll(async () => {
  world = await generate({ seed: 5, days: 3, checkoutsPerDay: 60 });
  const out = join(world.dir, "table");
  await backfill({ inDir: world.dir, outDir: out, features });
  const dir = await championDir("models/artifacts/champion.json");
  const model = await OnnxModel.load(dir, await loadManifest(dir, features));
  const [, ...lines] = (await readFile(join(out, TABLE_FILE), "utf8")).trim().split("\n");
  const rows = lines.map((l) => l.split(","));
  const predictions = await model.predict(rows.map((r) => r.slice(ID_COLUMNS.length).map(Number)));
  for (const [i, r] of rows.entries()) offlineScore.set(r[0] as string, predictions[i]?.calibrated as number);
  await model.close();
  log = [];
  for await (const entry of mergedEventLog(world.dir, { invalid: new Map() })) log.push(entry);
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
      api = await startApi({ redis: true, env: { REDIS_KEY_PREFIX: ingest.keyPrefix } });
      let pending: DomainEvent[] = [];
      let produced = 0;
      let compared = 0;
      for (const { event } of log) {
        if (event.type !== "checkout") {
          pending.push(event);
          continue;
        }
        if (pending.length > 0) {
          await ingest.produce(pending);
          produced += pending.length;
          pending = [];
          const target = produced;
          await waitFor(async () => (await consumedCount(metrics)) >= target, {
            timeoutMs: 30_000,
            what: "ingest",
          });
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

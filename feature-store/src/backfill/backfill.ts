import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FeatureSet } from "../definitions/feature-set.ts";
import { toEur } from "../definitions/money.ts";
import type { Checkout, Pseudonymiser } from "../events/index.ts";
import { MemoryStore } from "../online/memory-store.ts";
import { update } from "../update/update.ts";
import { type LogStats, mergedEventLog } from "./event-log.ts";
import { FeatureSourceTracker } from "./feature-sources.ts";
import { fraudLabelTimes } from "./labels.ts";

export interface BackfillOptions {
  readonly inDir: string;
  readonly outDir: string;
  readonly features: FeatureSet;
  /**
   * Identifiers become pseudonyms as the scoring API and the consumer make them, so the table
   * (its `user_id` column included) holds no raw identifier; features are the same under any key.
   */
  readonly pseudonymiser: Pseudonymiser;
  /** Labels known after this instant are ignored; default: everything in the log. */
  readonly labelCutoff?: number;
  readonly onProgress?: (events: number, rows: number) => void;
}

export interface BackfillResult {
  readonly events: number;
  readonly rows: number;
  readonly positives: number;
  readonly tooLate: number;
  readonly invalid: Record<string, number>;
  readonly labelCutoff: string;
}

export const META_FILE = "meta.json";
export const TABLE_FILE = "training.csv";
/**
 * `label_known_at`: when the checkout's first fraud label (chargeback or review outcome) arrived,
 * empty when none arrived by the cut-off. Training reads labels "as known at" any instant from it.
 */
export const ID_COLUMNS = [
  "event_id",
  "occurred_at",
  "user_id",
  "amount_eur",
  "label",
  "label_known_at",
] as const;

/**
 * Replays the event log through the memory store with the serving code's `update` and feature
 * computation, snapshotting each checkout's features just before the checkout itself is applied:
 * a point-in-time training table in which no later event and no later label leaks into a row.
 */
export async function backfill(options: BackfillOptions): Promise<BackfillResult> {
  const { features } = options;
  const labelTimes = await fraudLabelTimes(options.inDir);
  const cutoff = options.labelCutoff ?? Number.POSITIVE_INFINITY;
  let tooLate = 0;
  const store = new MemoryStore({
    onTooLate: () => tooLate++,
    // A world is finite, and forgetting an entity would change its features: no bound here.
    maxEntities: Number.POSITIVE_INFINITY,
  });
  const stats: LogStats = { invalid: new Map() };
  const sources = new FeatureSourceTracker();

  await mkdir(options.outDir, { recursive: true });
  const out = createWriteStream(join(options.outDir, TABLE_FILE));
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, "drain");
  };
  await write(`${[...ID_COLUMNS, ...features.names].join(",")}\n`);

  let events = 0;
  let rows = 0;
  let positives = 0;
  let lastT = Number.NEGATIVE_INFINITY;
  for await (const { event: raw, t, source } of mergedEventLog(options.inDir, stats)) {
    const event = options.pseudonymiser.event(raw, source);
    events++;
    lastT = t;
    if (event.type === "checkout") {
      const { type: _type, ...body } = event;
      const checkout: Checkout = body;
      const vector = features.compute(checkout, t, store.readSync(features.plan(checkout, t)));
      const labelledAt = labelTimes.get(event.event_id);
      const known = labelledAt !== undefined && labelledAt <= cutoff;
      const label = known ? 1 : 0;
      const knownAt = known ? new Date(labelledAt).toISOString() : "";
      positives += label;
      rows++;
      const amount = toEur(checkout.booking.amount, checkout.booking.currency);
      await write(
        `${event.event_id},${event.occurred_at},${checkout.user.id},${amount},${label},${knownAt},${vector.values.join(",")}\n`,
      );
    }
    const mutations = update(event);
    sources.observe(event, mutations);
    store.applySync(mutations);
    if (events % 50_000 === 0) options.onProgress?.(events, rows);
  }
  out.end();
  await once(out, "finish");

  const labelCutoff = new Date(Number.isFinite(cutoff) ? cutoff : Math.max(lastT, 0)).toISOString();
  const meta = {
    feature_set: features.version,
    features: features.names,
    label_cutoff: labelCutoff,
    rows,
    positives,
    created_at: new Date().toISOString(),
    source: options.inDir,
    // Per feature: its entity, the input topics that feed it (the missing-stream report), and the
    // default served when the entity, field or stream is absent (training stores each feature's
    // share at its default, so serving can tell a silent upstream stream from normal traffic).
    feature_sources: sources.sources(features.specs),
  };
  await writeFile(join(options.outDir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  return { events, rows, positives, tooLate, invalid: Object.fromEntries(stats.invalid), labelCutoff };
}

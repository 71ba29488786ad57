import { parseArgs } from "node:util";
import { FeatureSet } from "../definitions/feature-set.ts";
import { FEATURES } from "../definitions/features.ts";
import { pseudonymiserFor } from "../events/index.ts";
import { backfill } from "./backfill.ts";

const USAGE = "usage: npm run backfill -- --in <event log dir> --out <table dir> [--label-cutoff <ISO date>]";

const { values } = parseArgs({
  options: { in: { type: "string" }, out: { type: "string" }, "label-cutoff": { type: "string" } },
});
if (!values.in || !values.out) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
const cutoffRaw = values["label-cutoff"];
const labelCutoff = cutoffRaw === undefined ? undefined : Date.parse(cutoffRaw);
if (labelCutoff !== undefined && Number.isNaN(labelCutoff)) {
  process.stderr.write(`--label-cutoff: not a date: ${cutoffRaw}\n${USAGE}\n`);
  process.exit(2);
}

// The scoring API's and the consumer's key (ID_HASH_KEY, ID_HASH_KEY_ID), or their development key.
const { pseudonymiser, usingDevKey } = pseudonymiserFor({
  ...(process.env.ID_HASH_KEY ? { idHashKey: process.env.ID_HASH_KEY } : {}),
  ...(process.env.ID_HASH_KEY_ID ? { idHashKeyId: process.env.ID_HASH_KEY_ID } : {}),
});
if (usingDevKey)
  process.stderr.write(
    "ID_HASH_KEY is not set: ids in the table are pseudonymised with the development key\n",
  );

const started = Date.now();
const result = await backfill({
  inDir: values.in,
  outDir: values.out,
  features: new FeatureSet(FEATURES),
  pseudonymiser,
  ...(labelCutoff === undefined ? {} : { labelCutoff }),
  onProgress: (events, rows) =>
    process.stderr.write(`\r  replayed ${events.toLocaleString()} events, ${rows.toLocaleString()} rows`),
});
const seconds = (Date.now() - started) / 1000;
process.stderr.write("\n");
process.stdout.write(
  `${JSON.stringify({ ...result, seconds, events_per_second: Math.round(result.events / seconds) }, null, 2)}\n`,
);

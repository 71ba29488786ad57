// Holds every approximate feature to its stated error bound on a simulated world's event log:
// replays it through the memory store (as the backfill does) next to exact counts.
// usage: npm run bench:error-bounds -- --in data/world [--sample-every 10]

import { checkErrorBounds } from "../src/backfill/error-bounds.ts";
import { FeatureSet } from "../src/definitions/feature-set.ts";
import { FEATURES } from "../src/definitions/features.ts";
import { cliArgs } from "./cli-args.ts";

const { values } = cliArgs(import.meta.url, {
  options: { in: { type: "string" }, "sample-every": { type: "string", default: "1" } },
});
if (!values.in) {
  process.stderr.write("usage: npm run bench:error-bounds -- --in <event log dir> [--sample-every N]\n");
  process.exit(2);
}
const started = Date.now();
const report = await checkErrorBounds(values.in, new FeatureSet(FEATURES), {
  sampleEvery: Number(values["sample-every"]),
});
const rows = Object.entries(report).map(([name, r]) => ({ feature: name, ...r }));
console.table(rows.map(({ example: _e, ...r }) => r));
const violations = rows.reduce((n, r) => n + r.violations, 0);
for (const r of rows) if (r.example) process.stdout.write(`${r.feature}: ${r.example}\n`);
process.stdout.write(`${violations} violations; ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
process.exit(violations === 0 ? 0 : 1);

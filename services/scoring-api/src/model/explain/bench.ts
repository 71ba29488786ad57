/**
 * µs per TreeSHAP explanation of the committed champion model (a script, not a test):
 *   npm exec -- node services/scoring-api/src/model/explain/bench.ts [passes over the rows, default 3]
 * Replays the artifact's parity rows (real feature vectors, frauds over-represented, which is
 * the review/block traffic the service explains).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { championDir } from "../champion.ts";
import { TreeExplainer } from "./explainer.ts";
import { FastTreeShap } from "./fast-tree-shap.ts";
import { TreeShap } from "./tree-shap.ts";

const passes = Number(process.argv[2] ?? 3);
const dir = await championDir("models/artifacts/champion.json");
const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as { features: string[] };
const rows = (await readFile(join(dir, "parity.jsonl"), "utf8"))
  .trim()
  .split("\n")
  .map((l) => (JSON.parse(l) as { features: number[] }).features);

const explainer = await TreeExplainer.load(dir, manifest.features);
const leaves = explainer.model.trees.reduce((s, t) => s + t.numLeaves, 0);
const out = new Float64Array(manifest.features.length);

/** Times every call (calls take 10 µs–1 ms, so hrtime's ~50 ns overhead does not matter). */
function time(label: string, fn: (row: number[]) => void): void {
  for (let i = 0; i < 2_000; i++) fn(rows[i % rows.length] as number[]); // JIT warm-up
  const us = new Float64Array(passes * rows.length);
  let k = 0;
  for (let p = 0; p < passes; p++) {
    for (const row of rows) {
      const t0 = process.hrtime.bigint();
      fn(row);
      us[k++] = Number(process.hrtime.bigint() - t0) / 1e3;
    }
  }
  us.sort();
  const q = (f: number) =>
    (us[Math.min(us.length - 1, Math.floor(f * us.length))] as number).toFixed(1).padStart(7);
  const mean = us.reduce((a, b) => a + b, 0) / us.length;
  console.log(`${label.padEnd(28)} µs  mean ${mean.toFixed(1).padStart(7)}  p50 ${q(0.5)}  p99 ${q(0.99)}`);
}

console.log(
  `${dir}: ${explainer.model.trees.length} trees, ${leaves} leaves, max depth ${explainer.model.maxDepth}, ` +
    `${manifest.features.length} features, ${rows.length} parity rows x ${passes} passes`,
);
// The explainer's FastTreeShap is private; an identical one built here reports the memory.
const fast = new FastTreeShap(explainer.model);
console.log(
  `FastTreeShap: ${(fast.precomputedBytes / 2 ** 20).toFixed(2)} MiB precomputed, ${fast.points} quadrature ` +
    `points, ${fast.fallbackTrees} trees left to TreeShap`,
);
const reference = new TreeShap(explainer.model);
const x32 = new Float64Array(manifest.features.length);
time("TreeShap (reference, before)", (row) => {
  for (let i = 0; i < row.length; i++) x32[i] = Math.fround(row[i] as number);
  reference.shap(x32, out);
});
time("explainInto (no allocation)", (row) => explainer.explainInto(row, out));
time("explain", (row) => explainer.explain(row));
time("topPositive(k=3)", (row) => explainer.topPositive(row, 3));
time("predictRaw (for scale)", (row) => explainer.predictRaw(row));

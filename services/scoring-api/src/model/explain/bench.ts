/**
 * µs per TreeSHAP explanation of the committed champion model (a script, not a test):
 *   npx tsx services/scoring-api/src/model/explain/bench.ts [iterations]
 * Replays the artifact's parity rows (real feature vectors, frauds over-represented, which is
 * the review/block traffic the service explains).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { championDir } from "../champion.ts";
import { TreeExplainer } from "./explainer.ts";

const iterations = Number(process.argv[2] ?? 20_000);
const dir = await championDir("models/artifacts/champion.json");
const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as { features: string[] };
const rows = (await readFile(join(dir, "parity.jsonl"), "utf8"))
  .trim()
  .split("\n")
  .map((l) => (JSON.parse(l) as { features: number[] }).features);

const explainer = await TreeExplainer.load(dir, manifest.features);
const leaves = explainer.model.trees.reduce((s, t) => s + t.numLeaves, 0);
const out = new Float64Array(manifest.features.length);

function time(label: string, fn: (row: number[]) => void): void {
  for (let i = 0; i < 2_000; i++) fn(rows[i % rows.length] as number[]); // JIT warm-up
  const samples: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn(rows[i % rows.length] as number[]);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e3 / iterations);
  }
  samples.sort((a, b) => a - b);
  const fmt = (v: number) => v.toFixed(1).padStart(7);
  console.log(
    `${label.padEnd(28)} µs/explanation  min ${fmt(samples[0] as number)}  median ${fmt(samples[2] as number)}`,
  );
}

console.log(
  `${dir}: ${explainer.model.trees.length} trees, ${leaves} leaves, max depth ${explainer.model.maxDepth}, ` +
    `${manifest.features.length} features, ${rows.length} rows x ${iterations} iterations x 5`,
);
time("explainInto (no allocation)", (row) => explainer.explainInto(row, out));
time("explain", (row) => explainer.explain(row));
time("topPositive(k=3)", (row) => explainer.topPositive(row, 3));
time("predictRaw (for scale)", (row) => explainer.predictRaw(row));

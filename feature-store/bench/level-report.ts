// What bench:store's numbers are compared against, in words next to them.
import type { StoreLevelsOptions, StoreLevelsResult } from "./store-levels.ts";

/** Issue 14: per-checkout CPU flat within 20 % from the first level to the last. */
const FLATNESS_TARGET = 1.2;
const MAX_ENTITY_BYTES = 64 * 1024;

const verdict = (ok: boolean) => (ok ? "within" : "OUTSIDE");
const count = (n: number) => n.toLocaleString("en-US");

export function reportLines(result: StoreLevelsResult, options: StoreLevelsOptions): string[] {
  const { levels, rounds, reads } = options;
  const lines = [
    `${rounds} rounds of ${reads} checkouts per level; each round measures every level once, in a seeded ` +
      `order (--seed ${options.seed}); all rounds' reads, then all rounds' writes.`,
    "flatness = max/min over the levels of each level's median over the rounds of (its CPU per checkout / " +
      "the median over the levels in the same round): the 20 % target (issue 14) is compared against it, " +
      `≤ ${FLATNESS_TARGET.toFixed(2)}. 'plain' = max/min of the levels' median CPU, moved also by what ` +
      "drifted between rounds.",
  ];
  for (const { store, read, write } of result.spreads) {
    for (const [what, s] of [
      ["reads", read],
      ["writes", write],
    ] as const) {
      lines.push(
        `${store} ${what}: flatness ${s.pairedFlatness.toFixed(2)} (${verdict(s.pairedFlatness <= FLATNESS_TARGET)} ` +
          `≤ ${FLATNESS_TARGET.toFixed(2)}), plain ${s.plainFlatness.toFixed(2)}`,
      );
    }
  }
  for (const level of levels) {
    const after = level + rounds * reads;
    // Named where the writes add more than the tolerance to the level's history.
    if (after > level * FLATNESS_TARGET) {
      lines.push(
        `the writes grow the ${count(level)}-event level to ${count(after)} events: its reads see ` +
          `${count(level)}, its write rounds ${count(level)} … ${count(after)}`,
      );
    }
  }
  const atLevel = Math.max(
    0,
    ...result.rows.flatMap((r) =>
      Object.entries(r)
        .filter(([k]) => k.endsWith("_bytes"))
        .map(([, v]) => v as number),
    ),
  );
  const largest = Math.max(atLevel, result.maxBytesAfter);
  lines.push(
    `largest hot entity in Redis: ${atLevel} bytes at its level's events, ${result.maxBytesAfter} after ` +
      `the writes (${verdict(largest <= MAX_ENTITY_BYTES)} ≤ ${MAX_ENTITY_BYTES})`,
    "CPU is this process's (process.cpuUsage, the API's side): the Redis server's own work is not in it.",
  );
  return lines;
}

// Event ids are unique per world (a second world replayed into the same stack must not clash with
// the first: the API answers 409 to a known event id with another body) and the world's prefix
// changes no feature value: the backfill of a world and of the same world numbered from
// `evt_0000000001`, as worlds were before, give the same training rows.

import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { backfill, TABLE_FILE } from "@riskgate/feature-store/backfill";
import { FEATURES, FeatureSet } from "@riskgate/feature-store/definitions";
import { pseudonymiserFor } from "@riskgate/feature-store/events";
import { FILES, type Generated, generate, readJsonl } from "@riskgate/test-support/simulated-world";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const options = { seed: 7, days: 2, checkoutsPerDay: 120 };
// Two backfills of a world with its history: on a loaded 2-core box more than the default 30 s.
const BACKFILLS_TIMEOUT_MS = 120_000;

async function eventIds(g: Generated): Promise<string[]> {
  const ids: string[] = [];
  for (const f of FILES.filter((f) => f !== "truth")) {
    for (const e of await readJsonl(g.dir, f)) ids.push(e.event_id);
  }
  return ids;
}

/** The backfilled training table, by row, with `rename` applied to its event ids. */
async function table(dir: string, rename: (id: string) => string): Promise<string[]> {
  const out = join(dir, "table");
  await backfill({
    inDir: dir,
    outDir: out,
    features: new FeatureSet(FEATURES),
    pseudonymiser: pseudonymiserFor({}).pseudonymiser,
  });
  const [header, ...rows] = (await readFile(join(out, TABLE_FILE), "utf8")).trim().split("\n");
  return [header as string, ...rows.map((r) => rename(r.slice(0, r.indexOf(","))) + r.slice(r.indexOf(",")))];
}

describe("event ids per world", () => {
  let a: Generated;
  let b: Generated;
  let c: Generated;
  beforeAll(async () => {
    a = await generate(options);
    b = await generate({ ...options, seed: 8 });
    c = await generate({ ...options, days: 4 });
  });
  afterAll(async () => {
    await Promise.all([a, b, c].map((g) => g?.cleanup()));
  });

  it("are unique per world: worlds of another seed or size share none; each carries its prefix", async () => {
    const [ia, ib, ic] = [await eventIds(a), await eventIds(b), await eventIds(c)];
    const prefix = a.summary.event_id_prefix;
    expect(prefix).toMatch(/^evt_s7-[0-9a-f]{6}_$/);
    expect(ia.every((id) => id.startsWith(prefix))).toBe(true);
    expect(new Set(ia).size).toBe(ia.length);
    const known = new Set(ia);
    expect(ib.filter((id) => known.has(id))).toEqual([]);
    expect(ic.filter((id) => known.has(id))).toEqual([]);
    expect(new Set([prefix, b.summary.event_id_prefix, c.summary.event_id_prefix]).size).toBe(3);
  });

  it(
    "change no feature value: the training rows equal those of the world numbered from evt_0000000001",
    async () => {
      const prefix = a.summary.event_id_prefix;
      const withPrefix = await table(a.dir, (id) => id);
      // The same world with the ids it had before prefixes (`evt_` and the ten-digit sequence).
      for (const file of await readdir(a.dir)) {
        if (!file.endsWith(".jsonl")) continue;
        const text = await readFile(join(a.dir, file), "utf8");
        await writeFile(join(a.dir, file), text.replaceAll(`"${prefix}`, '"evt_'));
      }
      const plain = await table(a.dir, (id) => id.replace(/^evt_/, prefix));
      expect(plain.length).toBeGreaterThan(100);
      expect(plain).toEqual(withPrefix);
    },
    BACKFILLS_TIMEOUT_MS,
  );
});

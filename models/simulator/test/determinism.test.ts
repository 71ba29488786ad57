import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FILES, type Generated, generate, sha256 } from "@riskgate/test-support/simulated-world";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

async function hashes(g: Generated): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of FILES) out[f] = await sha256(join(g.dir, `${f}.jsonl`));
  return out;
}

async function worldWithoutTiming(g: Generated): Promise<unknown> {
  const world = JSON.parse(await readFile(join(g.dir, "world.json"), "utf8"));
  delete world.generation;
  return world;
}

describe("simulator determinism", () => {
  const options = { seed: 7, days: 4, checkoutsPerDay: 250 };
  let a: Generated;
  let b: Generated;
  let c: Generated;

  beforeAll(async () => {
    a = await generate(options);
    b = await generate(options);
    c = await generate({ ...options, seed: 8 });
  });
  afterAll(async () => {
    await Promise.all([a, b, c].map((g) => g?.cleanup()));
  });

  it("produces byte-identical files for the same seed and options", async () => {
    expect(await hashes(b)).toEqual(await hashes(a));
    expect(await worldWithoutTiming(b)).toEqual(await worldWithoutTiming(a));
  });

  it("produces different files for a different seed", async () => {
    const [ha, hc] = [await hashes(a), await hashes(c)];
    for (const f of ["payments", "accounts", "checkouts", "truth"]) expect(hc[f]).not.toBe(ha[f]);
  });

  it("does not depend on validation being on or off", async () => {
    const unvalidated = await generate({ ...options, validate: false });
    try {
      expect(await hashes(unvalidated)).toEqual(await hashes(a));
    } finally {
      await unvalidated.cleanup();
    }
  });
});

import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatorFingerprint } from "../src/generator-fingerprint.ts";

const run = promisify(execFile);
const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const SRC = fileURLToPath(new URL("../src/", import.meta.url));

async function simulate(out: string, ...extra: string[]): Promise<Record<string, unknown>> {
  const args = [
    CLI,
    "--out",
    out,
    "--days",
    "1",
    "--checkouts-per-day",
    "60",
    "--quiet",
    "--reuse",
    ...extra,
  ];
  const { stdout } = await run(process.execPath, args);
  return JSON.parse(stdout.trim().split("\n").at(-1) as string);
}

describe("simulate --reuse (the load benches' world cache)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sim-reuse-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps a world this generator made with the same options, and makes it again otherwise", async () => {
    const out = join(dir, "world");
    expect((await simulate(out)).reused).toBeUndefined();
    const made = (await stat(join(out, "world.json"))).mtimeMs;
    expect(await simulate(out)).toEqual({ out, reused: true });
    expect((await stat(join(out, "world.json"))).mtimeMs).toBe(made);

    // Other options: generated again, under the same folder.
    expect((await simulate(out, "--seed", "2")).reused).toBeUndefined();
    expect(JSON.parse(await readFile(join(out, "world.json"), "utf8")).seed).toBe(2);

    // A world another generator made (its stamp names another fingerprint): generated again.
    const stampFile = join(out, ".generator-stamp");
    const stamp = JSON.parse(await readFile(stampFile, "utf8"));
    await writeFile(stampFile, JSON.stringify({ ...stamp, generator: "0000000000000000" }));
    expect((await simulate(out, "--seed", "2")).reused).toBeUndefined();
    expect(await simulate(out, "--seed", "2")).toEqual({ out, reused: true });
  }, 60_000);

  it("fingerprints the generator's sources, not the replay's", async () => {
    const copy = join(dir, "src");
    await cp(SRC, copy, { recursive: true });
    const before = generatorFingerprint(copy);
    expect(before).toBe(generatorFingerprint(SRC));
    await writeFile(join(copy, "replay", "cli.ts"), "// the replay changed\n", { flag: "a" });
    expect(generatorFingerprint(copy)).toBe(before);
    await writeFile(join(copy, "patterns", "legit.ts"), "// the generator changed\n", { flag: "a" });
    expect(generatorFingerprint(copy)).not.toBe(before);
  });
});

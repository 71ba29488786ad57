// Every bench and tool CLI that parses its options with cliArgs (feature-store/bench/cli-args.ts)
// answers --help with its header's usage and refuses an unknown option with that usage and exit 2,
// before it needs Redis, Kafka or a world. Found by search, so a new CLI is covered when it uses it.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const DIRS = ["feature-store/bench", "services/scoring-api/bench", "services/feature-ingest/bench"];
const clis = DIRS.flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(dir, f))
    .filter((f) => readFileSync(f, "utf8").includes("cliArgs(import.meta.url")),
);
// Without the services: a CLI must print its help before it looks for them.
const env = { ...process.env, REDIS_URL: "", KAFKA_BROKERS: "" };

describe("bench CLIs", () => {
  it("are found", () => {
    expect(clis.length).toBeGreaterThanOrEqual(13);
  });

  it.each(clis)("%s --help prints its usage and exits 0", async (file) => {
    const { stdout } = await run(process.execPath, [file, "--help"], { env, timeout: 60_000 });
    expect(stdout.startsWith("usage:")).toBe(true);
  });

  it.each(clis)("%s refuses an unknown option with its usage and exit 2", async (file) => {
    const err = await run(process.execPath, [file, "--no-such-option"], { env, timeout: 60_000 }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toContain("--no-such-option");
    expect(err?.stderr).toContain("usage:");
  });
});

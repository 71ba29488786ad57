import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateWorld, resolveOptions, type SimOptions, type WorldSummary } from "@riskgate/simulator";

export const FILES = ["payments", "accounts", "listings", "labels", "checkouts", "truth"] as const;
export type FileName = (typeof FILES)[number];

export interface Generated {
  readonly dir: string;
  readonly summary: WorldSummary;
  cleanup(): Promise<void>;
}

/** Generates a small world into a fresh temporary directory. */
export async function generate(options: Partial<Omit<SimOptions, "out">>): Promise<Generated> {
  const dir = await mkdtemp(join(tmpdir(), "riskgate-sim-"));
  const summary = await generateWorld(resolveOptions({ ...options, out: dir }));
  return { dir, summary, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function readLines(dir: string, file: FileName): Promise<string[]> {
  const text = await readFile(join(dir, `${file}.jsonl`), "utf8");
  return text.split("\n").filter((line) => line.length > 0);
}

// biome-ignore lint/suspicious/noExplicitAny: test helper reading arbitrary JSON lines
export async function readJsonl(dir: string, file: FileName): Promise<any[]> {
  return (await readLines(dir, file)).map((line) => JSON.parse(line));
}

export async function sha256(path: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
}

export const DAY_MS = 86_400_000;

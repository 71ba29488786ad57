// Drives the vegeta binary (infra/dev/vegeta.sh installs it into .cache/bin): one `vegeta attack` per
// stage, fed lazily with JSON targets on stdin so every request has a fresh body and nothing grows with
// the stage's length, results to a binary file; `encode` and `report` read them back.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createReadStream, existsSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";

const REPO = resolve(import.meta.dirname, "../..");

/** $VEGETA, else the pinned build in .cache/bin; a clear error when neither exists. */
export function vegetaPath(env: NodeJS.ProcessEnv = process.env): string {
  const path = env.VEGETA || resolve(REPO, ".cache/bin/vegeta");
  if (!existsSync(path))
    throw new Error(`vegeta not found at ${path}: run bash infra/dev/vegeta.sh (or set VEGETA)`);
  return path;
}

export interface AttackOptions {
  readonly vegeta: string;
  readonly name: string;
  readonly rate: number;
  readonly seconds: number;
  readonly url: string;
  readonly headers: Record<string, string>;
  /** The next request body (called once per request, lazily). */
  readonly body: () => string;
  readonly output: string;
  readonly maxWorkers: number;
  readonly timeoutSeconds: number;
}

/** One vegeta target line (vegeta's JSON target format: headers as arrays, body base64). */
export function targetLine(url: string, headers: Record<string, string[]>, body: string): string {
  return `${JSON.stringify({ method: "POST", url, header: headers, body: Buffer.from(body).toString("base64") })}\n`;
}

async function feed(child: ChildProcess, exited: Promise<unknown>, opts: AttackOptions): Promise<void> {
  const stdin = child.stdin;
  if (!stdin) return;
  const headers = Object.fromEntries(Object.entries(opts.headers).map(([k, v]) => [k, [v]]));
  // vegeta reads one target per request; a small surplus covers its pacer's rounding.
  const total = Math.ceil(opts.rate * opts.seconds * 1.02) + 100;
  let closed = false;
  // EPIPE once vegeta has finished and closed its end: the surplus was not needed.
  stdin.on("error", () => {
    closed = true;
  });
  void exited.then(() => {
    closed = true;
  });
  for (let i = 0; i < total && !closed; i++) {
    if (!stdin.write(targetLine(opts.url, headers, opts.body()))) {
      await Promise.race([new Promise((r) => stdin.once("drain", r)), exited]);
    }
  }
  if (!closed) stdin.end();
}

/** Runs one stage; resolves when vegeta exits (rejects on a non-zero exit). */
export async function attack(opts: AttackOptions): Promise<void> {
  const child = spawn(
    opts.vegeta,
    [
      "attack",
      "-format=json",
      "-lazy",
      `-name=${opts.name}`,
      `-rate=${opts.rate}/s`,
      `-duration=${opts.seconds}s`,
      `-max-workers=${opts.maxWorkers}`,
      `-timeout=${opts.timeoutSeconds}s`,
      "-keepalive=true",
      `-output=${opts.output}`,
    ],
    { stdio: ["pipe", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = once(child, "exit") as Promise<[number | null]>;
  await feed(child, exited, opts);
  const [code] = await exited;
  if (code !== 0) throw new Error(`vegeta attack ${opts.name} exited with ${code}: ${stderr.trim()}`);
}

/** `vegeta report` over the given result files (merged), as text or JSON. */
export async function report(
  vegeta: string,
  files: readonly string[],
  type: "text" | "json",
): Promise<string> {
  const child = spawn(vegeta, ["report", `-type=${type}`, ...files], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`vegeta report exited with ${code}`);
  return out;
}

/** vegeta's own result record, as `vegeta encode --to json` writes it. */
export interface VegetaResult {
  readonly attack: string;
  readonly seq: number;
  readonly code: number;
  readonly timestamp: string;
  /** Nanoseconds. */
  readonly latency: number;
  readonly error: string;
  /** Response body, base64. */
  readonly body: string | null;
}

/** Streams every result of a binary results file through `vegeta encode --to json`. */
export async function* decode(vegeta: string, file: string): AsyncGenerator<VegetaResult> {
  const child = spawn(vegeta, ["encode", "--to", "json"], { stdio: ["pipe", "pipe", "inherit"] });
  createReadStream(file).pipe(child.stdin as NodeJS.WritableStream);
  const exited = once(child, "exit") as Promise<[number | null]>;
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    if (line.length > 0) yield JSON.parse(line) as VegetaResult;
  }
  const [code] = await exited;
  if (code !== 0) throw new Error(`vegeta encode exited with ${code}`);
}

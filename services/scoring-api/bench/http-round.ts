// Rounds over a real socket for cpu-per-checkout.ts: load-client.ts, in a process of its own (so
// none of its CPU is counted), sends bodies at a constant arrival rate over keep-alive connections;
// counted is this process's CPU from the client's first measured request to its summary (its last
// answer), so this process must be serving that URL and doing nothing else meanwhile.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify from "fastify";

const LOAD_CLIENT = fileURLToPath(new URL("./load-client.ts", import.meta.url));

export interface HttpRound {
  /** This process's CPU over the measured requests, ms: user + system, and each. */
  readonly cpuMs: number;
  readonly userMs: number;
  readonly systemMs: number;
  /** load-client.ts's summary: statuses, modes, decisions, latency percentiles. */
  readonly summary: {
    statuses: Record<string, number>;
    decisions: Record<string, number>;
    modes: Record<string, number>;
    p50_ms: number;
    p99_ms: number;
  };
}

/** `bodies` to `url` at `rate` per second, after a warm-up of `warmBodies` at the same rate. */
export async function httpRound(opts: {
  url: string;
  token: string | undefined;
  rate: number;
  bodies: readonly string[];
  warmBodies: readonly string[];
}): Promise<HttpRound> {
  const dir = await mkdtemp(join(tmpdir(), "cpu-per-checkout-"));
  try {
    const file = join(dir, "bodies.jsonl");
    const warmFile = join(dir, "warm.jsonl");
    await writeFile(file, opts.bodies.join("\n"));
    await writeFile(warmFile, opts.warmBodies.join("\n"));
    const child = spawn(
      process.execPath,
      [
        LOAD_CLIENT,
        opts.url,
        String(opts.rate),
        String(opts.bodies.length / opts.rate),
        file,
        ...(opts.token ? [opts.token] : []),
        "--warmup",
        String(opts.warmBodies.length / opts.rate),
        "--warmup-bodies",
        warmFile,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    let cpu0: NodeJS.CpuUsage | undefined;
    let cpu: NodeJS.CpuUsage | undefined;
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (!cpu0 && out.includes("measuring\n")) cpu0 = process.cpuUsage();
      else if (cpu0 && !cpu && out.includes("}")) cpu = process.cpuUsage(cpu0);
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    if (code !== 0 || !cpu) throw new Error(`load-client exited with ${code}: ${out}`);
    const summary = JSON.parse(out.trim().split("\n").at(-1) as string) as HttpRound["summary"];
    return {
      cpuMs: (cpu.user + cpu.system) / 1000,
      userMs: cpu.user / 1000,
      systemMs: cpu.system / 1000,
      summary,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The Fastify floor: a bare Fastify app (its JSON body parser, no schema, no hooks) answering
 * POST /v1/score with a canned answer, to tell what HTTP and Fastify cost per request on their own.
 */
export async function startFastifyFloor(
  answer: () => string,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify();
  app.post("/v1/score", async (_req, reply) => reply.type("application/json; charset=utf-8").send(answer()));
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/score`, close: () => app.close() };
}

// The embedded default (`npm start`: in-memory feature store, no Kafka) at a constant arrival rate:
// checkouts spread over distinct entities, then all on one listing, host and IP (a card-testing
// run, a busy hotel network). Bounded feature state keeps the second p99 within 2x the first.
// usage: npm run bench:hot-entity -- [--rate 1000] [--seconds 60]
// Each scenario gets a fresh API process; a bare node:http server's p99 is measured first as the
// floor (DESIGN.md: report p99 as a ratio to it).
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cliArgs } from "@riskgate/feature-store/cli-args";

const { values } = cliArgs(import.meta.url, {
  options: { rate: { type: "string", default: "1000" }, seconds: { type: "string", default: "60" } },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const warmSeconds = 5;
const token = "bench-hot-key-0123456789abcdef";
const apiPort = 18090;
const floorPort = 18091;
const work = join(".cache", "bench", "hot-entity");

function runNode(args: string[], env: Record<string, string | undefined> = {}): ChildProcess {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  return spawn(process.execPath, args, {
    env: merged as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "inherit"],
  });
}

async function lastLine(child: ChildProcess, onData?: (text: string) => void): Promise<string> {
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
    onData?.(d.toString());
  });
  await new Promise((resolve) => child.on("exit", resolve));
  return out.trim().split("\n").at(-1) as string;
}

async function waitReady(url: string) {
  for (let i = 0; i < 600; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became ready`);
}

function cpuSeconds(pid: number): number {
  const stat = (readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1] as string).split(" ");
  return (Number(stat[11]) + Number(stat[12])) / 100;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Checkout bodies in event-time order ending now; `hot` puts them all on one listing, host and IP. */
function bodies(tag: string, count: number, hot: boolean): string {
  const start = Date.now() - count * (1000 / rate);
  return Array.from({ length: count }, (_, i) => {
    const at = start + i * (1000 / rate);
    const n = `${tag}${i}`;
    return JSON.stringify({
      event_id: `hot-bench-${process.pid}-${n}`,
      occurred_at: iso(at),
      user: { id: `u-${n}`, created_at: iso(at - 200 * 86_400_000), email_verified: true },
      device: {
        id: `d-${n}`,
        ip: hot ? "10.77.0.1" : `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        ip_country: "DE",
      },
      payment: { instrument_id: `pi-${n}`, type: "card", country: "DE", billing_country: "DE" },
      listing: hot
        ? { id: "l-hot", host_id: "h-hot", country: "PT" }
        : { id: `l-${n}`, host_id: `h-${n}`, country: "PT" },
      booking: { amount: 180, currency: "EUR", nights: 2, checkin_at: iso(at + 30 * 86_400_000) },
      message: { text: "Hi, we arrive around 6 pm" },
    });
  }).join("\n");
}

async function run(url: string, tag: string, hot: boolean, pid?: number) {
  const warm = join(work, `${process.pid}-${tag}-warm.jsonl`);
  const main = join(work, `${process.pid}-${tag}.jsonl`);
  await writeFile(warm, url.endsWith("/") ? "" : bodies(`${tag}w`, rate * warmSeconds, hot));
  await writeFile(main, url.endsWith("/") ? "" : bodies(tag, rate * seconds, hot));
  const isFloor = url.endsWith("/");
  const client = runNode([
    "services/scoring-api/bench/load-client.ts",
    url,
    String(rate),
    String(seconds),
    isFloor ? "-" : main,
    ...(isFloor ? [] : [token]),
    "--warmup",
    String(warmSeconds),
    "--warmup-bodies",
    isFloor ? "-" : warm,
  ]);
  let cpu0 = Number.NaN;
  const summary = JSON.parse(
    await lastLine(client, (text) => {
      if (pid !== undefined && Number.isNaN(cpu0) && text.includes("measuring")) cpu0 = cpuSeconds(pid);
    }),
  );
  await rm(warm, { force: true });
  await rm(main, { force: true });
  const cpuMs = pid === undefined ? undefined : ((cpuSeconds(pid) - cpu0) * 1000) / (rate * seconds);
  return { ...summary, api_cpu_ms_per_checkout: cpuMs === undefined ? undefined : Number(cpuMs.toFixed(3)) };
}

await mkdir(work, { recursive: true });
const floorServer = runNode(["services/scoring-api/bench/floor-server.ts", String(floorPort)]);
await waitReady(`http://127.0.0.1:${floorPort}/`);
const floor = await run(`http://127.0.0.1:${floorPort}/`, "floor", false);
floorServer.kill("SIGTERM");

const results: Record<string, unknown>[] = [];
for (const [scenario, hot] of [
  ["spread", false],
  ["one listing, host and IP", true],
] as const) {
  // `npm start` on the embedded defaults: no Redis, no Kafka.
  const api = runNode(["services/scoring-api/src/main.ts"], {
    PORT: String(apiPort),
    RISKGATE_API_KEYS: `score:${token}`,
    LOG_LEVEL: "warn",
    REDIS_URL: undefined,
    KAFKA_BROKERS: undefined,
  });
  api.stdout?.resume();
  await waitReady(`http://127.0.0.1:${apiPort}/readyz`);
  const r = await run(`http://127.0.0.1:${apiPort}/v1/score`, hot ? "hot" : "spread", hot, api.pid);
  const exited = new Promise((resolve) => api.on("exit", resolve));
  api.kill("SIGTERM");
  await exited;
  results.push({ scenario, ...r, p99_over_floor: Number((r.p99_ms / floor.p99_ms).toFixed(2)) });
  process.stderr.write(`${JSON.stringify(results.at(-1))}\n`);
}
const [spread, hot] = results as { p99_ms: number }[];
const ratio = (hot?.p99_ms ?? Number.NaN) / (spread?.p99_ms ?? Number.NaN);
console.table(
  results.map((r) => {
    const { p99_by_second_ms: _s, server_stages_ms: _st, ...rest } = r as Record<string, unknown>;
    return rest;
  }),
);
process.stdout.write(
  `${JSON.stringify({ rate, seconds, floor_p99_ms: floor.p99_ms, hot_over_spread_p99: Number(ratio.toFixed(2)), target: "<= 2" })}\n`,
);

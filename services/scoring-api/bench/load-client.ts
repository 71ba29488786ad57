// Open-loop HTTP load at a constant arrival rate, run as its own process so the load generator does
// not share an event loop with the server it measures. Latency counts from each request's
// scheduled start, so queueing shows (no coordinated omission).
// usage: node load-client.ts <url> <rate> <seconds> <bodies.jsonl|-> [bearer token]
//          [--warmup <seconds> --warmup-bodies <bodies.jsonl|->]
// A warm-up runs first at the same rate, in this process and on the same connections, and flows
// straight into the measured requests: measured are the server's steady state, not this client's
// cold JIT or its first connections (a checkout service keeps its connections open). Stdout gets
// "measuring" when the measured requests begin, then the summary.
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { warmup: { type: "string", default: "0" }, "warmup-bodies": { type: "string", default: "-" } },
});
const [url, rateArg, secondsArg, bodiesFile, token] = positionals;
if (!url || !rateArg || !secondsArg || !bodiesFile)
  throw new Error(
    "usage: load-client <url> <rate> <seconds> <bodies|-> [token] [--warmup s --warmup-bodies f]",
  );
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const readBodies = (file: string) =>
  file === "-"
    ? ['{"ping":true}']
    : readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l.length > 0);
const bodies = readBodies(bodiesFile);
const warmBodies = readBodies(values["warmup-bodies"] as string);
const warm = Math.round(rate * Number(values.warmup));
const target = new URL(url);
const agent = new Agent({ keepAlive: true, maxSockets: 512 });
const total = Math.round(rate * seconds);
const latency = new Float64Array(total);
const stages: Record<string, number[]> = { features: [], rules: [], model: [], policy: [], total: [] };
const statuses = new Map<number, number>();
const modes = new Map<string, number>();
const decisions = new Map<string, number>();
let errors = 0;
let done = 0;

// i counts warm-up and measured requests together; only measured ones (i >= warm) are recorded.
function send(i: number, scheduled: number, finish: () => void) {
  const m = i - warm;
  const body = (m < 0 ? warmBodies[i % warmBodies.length] : bodies[m % bodies.length]) as string;
  const req = request(
    {
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: "POST",
      agent,
      headers: {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    },
    (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        if (m < 0) {
          finish();
          return;
        }
        latency[m] = performance.now() - scheduled;
        statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
        if (res.statusCode === 200 && token) {
          const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          for (const s of Object.keys(stages)) stages[s]?.push(parsed.timings_ms[s]);
          modes.set(parsed.mode, (modes.get(parsed.mode) ?? 0) + 1);
          decisions.set(parsed.decision, (decisions.get(parsed.decision) ?? 0) + 1);
        }
        finish();
      });
    },
  );
  req.on("error", () => {
    if (m >= 0) {
      errors++;
      latency[m] = performance.now() - scheduled;
    }
    finish();
  });
  req.end(body);
}

const start = performance.now() + 50;
let next = 0;
await new Promise<void>((resolve) => {
  const finish = () => {
    if (++done === warm + total) resolve();
  };
  const tick = () => {
    const now = performance.now();
    while (next < warm + total && start + (next * 1000) / rate <= now) {
      const i = next++;
      if (i === warm) process.stdout.write("measuring\n");
      send(i, start + (i * 1000) / rate, finish);
    }
    if (next < warm + total) setTimeout(tick, 0.5);
  };
  setTimeout(tick, 50);
});

const pct = (a: ArrayLike<number>, p: number) => {
  const s = Float64Array.from(a).sort();
  return s.length === 0
    ? Number.NaN
    : (s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number);
};
const r3 = (v: number) => Math.round(v * 1000) / 1000;
const summary = {
  rate,
  seconds,
  sent: total,
  errors,
  statuses: Object.fromEntries(statuses),
  modes: Object.fromEntries(modes),
  decisions: Object.fromEntries(decisions),
  p50_ms: r3(pct(latency, 50)),
  p99_ms: r3(pct(latency, 99)),
  p99_9_ms: r3(pct(latency, 99.9)),
  max_ms: r3(pct(latency, 100)),
  // Whether the tail is spread out or comes in episodes (a GC, a stalled dependency) shows here.
  p99_by_second_ms: Array.from({ length: Math.ceil(seconds) }, (_, s) =>
    r3(pct(latency.subarray(Math.round(s * rate), Math.min(total, Math.round((s + 1) * rate))), 99)),
  ),
  server_stages_ms: Object.fromEntries(
    Object.entries(stages).map(([s, v]) => [
      s,
      { p50: r3(pct(v, 50)), p99: r3(pct(v, 99)), p99_9: r3(pct(v, 99.9)) },
    ]),
  ),
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
agent.destroy();

// Process CPU per checkout of the scoring path, in process: the API built like main.ts's over the
// shared Redis (its own key prefix), checkouts injected 8 at a time (no HTTP client, no load
// generator sharing the cores), normal traffic (a new user, device, card and IP per checkout) or
// flagged traffic (a five-minute-old unverified account paying 1,500-4,500 EUR: explanation, review
// budget and case). CPU time, not latency, so a busy box inflates it less than it inflates a
// latency; compare variants in the same run, interleaved. Not a substitute for `npm run load`.
// usage: REDIS_URL=… node services/scoring-api/bench/cpu-per-checkout.ts [--traffic normal|flagged] [--checkouts 3000] [--rounds 3] [--profile out.cpuprofile] [--tree DIR]
// --tree measures the API of another checkout of this repository (say main's worktree, read only)
// with this script's measurement, so two branches compare on the same yardstick.
// --profile writes a V8 CPU profile of the measured rounds only (not start-up, warm-up or the key
// clean-up, which `node --cpu-prof` would mix in), for Chrome DevTools or speedscope.
// The process CPU includes the client's own work (body construction, the injected request and
// response, parsing the answer): each round also runs the same loop against a bare handler that
// answers a canned score response (`client`), and `net` = `raw` - `client` is the API's CPU.
// `redis_server` is the Redis server's own CPU per checkout over the API rounds (INFO cpu, main
// thread, user + system): it counts every client of that Redis, so run the bench against a Redis
// of its own (`redis-server --port 6499 --save ''`) for a number that is the checkouts' alone.
import { writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Session } from "node:inspector/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import inject from "light-my-request";
import { redisServerCpuMs } from "./redis-server-cpu.ts";

const { values } = parseArgs({
  options: {
    traffic: { type: "string", default: "normal" },
    checkouts: { type: "string", default: "3000" },
    rounds: { type: "string", default: "3" },
    profile: { type: "string" },
    tree: { type: "string" },
  },
});
/** A test-support module of `--tree`'s checkout, or of this one. */
function support(name: string): string {
  return values.tree
    ? pathToFileURL(resolve(values.tree, "test/support", `${name}.ts`)).href
    : `@riskgate/test-support/${name}`;
}
const { bearer, startApi, TOKENS }: typeof import("@riskgate/test-support/api-harness") = await import(
  support("api-harness")
);
const { checkout }: typeof import("@riskgate/test-support/events") = await import(support("events"));
const { scanKeys }: typeof import("@riskgate/test-support/services") = await import(support("services"));
const flagged = values.traffic === "flagged";
const n = Number(values.checkouts);
const CONCURRENCY = 8;

const h = await startApi({ redis: true });
let seq = 0;
function body() {
  const i = seq++;
  const at = Date.now();
  const base = checkout(`cpu-${i}`, at);
  return checkout(`cpu-${i}`, at, {
    user: flagged
      ? {
          ...base.user,
          id: `u_${i}`,
          created_at: new Date(at - 5 * 60_000).toISOString(),
          email_verified: false,
        }
      : { ...base.user, id: `u_${i}` },
    // A new user, device, card and IP per checkout: reused ones (modulo a few thousand, as before)
    // built velocity within the run, and from the third round on a third of the "normal"
    // checkouts were reviewed or blocked, so rounds measured different paths.
    device: { ...base.device, id: `d_${i}`, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
    payment: { ...base.payment, instrument_id: `pi_${i}` },
    listing: { ...base.listing, id: `l_${i % 300}`, host_id: `h_${i % 100}` },
    booking: { ...base.booking, amount: flagged ? 1500 + (i % 3000) : 50 + (i % 400) },
  });
}

type Target = "api" | "client";
// A real answer, so the client's parse in the `client` loop reads as many bytes as against the API.
let canned = "{}";
const bareHandler = (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
  res.end(canned);
};

function send(target: Target) {
  const request = {
    method: "POST",
    url: "/v1/score",
    headers: bearer(TOKENS.score),
    payload: body(),
  } as const;
  return target === "api" ? h.app.inject(request) : inject(bareHandler, request);
}

async function redisCpuMs(): Promise<number | undefined> {
  return h.redis ? redisServerCpuMs(h.redis) : undefined;
}

async function round(
  count: number,
  target: Target,
): Promise<{ cpuMs: number; redisMs: number | undefined; modes: Record<string, number> }> {
  const modes: Record<string, number> = {};
  let next = 0;
  const redis0 = target === "api" ? await redisCpuMs() : undefined;
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < count) {
        const res = await send(target);
        const answer =
          res.statusCode === 200 ? (res.json() as { mode: string; decision: string }) : undefined;
        const key = answer ? `${answer.mode}/${answer.decision}` : String(res.statusCode);
        modes[key] = (modes[key] ?? 0) + 1;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const redis1 = redis0 === undefined ? undefined : await redisCpuMs();
  const redisMs = redis0 === undefined || redis1 === undefined ? undefined : redis1 - redis0;
  return { cpuMs: (cpu.user + cpu.system) / 1000, redisMs, modes };
}

await round(500, "api"); // JIT and connections
canned = (await send("api")).body;
await round(500, "client");
const profiler = values.profile ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post("Profiler.enable");
  await profiler.post("Profiler.start");
}
const ms = (cpuMs: number) => Math.round((cpuMs / n) * 1000) / 1000;
const rounds = Number(values.rounds);
const api: Awaited<ReturnType<typeof round>>[] = [];
const client: Awaited<ReturnType<typeof round>>[] = [];
// Interleaved, so a busy spell on the box weighs on both; a profile holds the API's rounds only.
for (let r = 0; r < rounds; r++) {
  api.push(await round(n, "api"));
  if (!profiler) client.push(await round(n, "client"));
}
if (profiler && values.profile) {
  const { profile } = await profiler.post("Profiler.stop");
  writeFileSync(values.profile, JSON.stringify(profile));
  profiler.disconnect();
  for (let r = 0; r < rounds; r++) client.push(await round(n, "client"));
}
const results = api.map(({ cpuMs, redisMs, modes }, r) => {
  const clientMs = client[r]?.cpuMs ?? 0;
  return {
    cpu_ms_per_checkout: {
      raw: ms(cpuMs),
      client: ms(clientMs),
      net: ms(cpuMs - clientMs),
      redis_server: redisMs === undefined ? null : ms(redisMs),
    },
    modes,
  };
});
// SCAN (every master of a cluster), not KEYS: the shared Redis may hold millions of other keys.
if (h.redis) {
  const keys = await scanKeys(h.redis, `${h.prefix}*`);
  for (const key of keys) await h.redis.unlink(key);
}
await h.close();
process.stdout.write(
  `${JSON.stringify({ tree: values.tree ?? ".", traffic: values.traffic, checkouts: n, results })}\n`,
);

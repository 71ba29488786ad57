// Process CPU per checkout of the scoring path, in process: the API built like main.ts's over the
// shared Redis (its own key prefix), checkouts injected 8 at a time (no HTTP client, no load
// generator sharing the cores), normal traffic (a new user, device, card and IP per checkout) or
// flagged traffic (a five-minute-old unverified account paying 1,500-4,500 EUR: explanation, review
// budget and case). CPU time, not latency, so a busy box inflates it less than it inflates a
// latency; compare variants in the same run, interleaved. Not a substitute for `npm run load`.
// usage: REDIS_URL=… node services/scoring-api/bench/cpu-per-checkout.ts [--traffic normal|flagged] [--checkouts 3000] [--rounds 3] [--profile out.cpuprofile]
// --profile writes a V8 CPU profile of the measured rounds only (not start-up, warm-up or the key
// clean-up, which `node --cpu-prof` would mix in), for Chrome DevTools or speedscope.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { parseArgs } from "node:util";
import { bearer, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { checkout } from "@riskgate/test-support/events";
import { scanKeys } from "@riskgate/test-support/services";

const { values } = parseArgs({
  options: {
    traffic: { type: "string", default: "normal" },
    checkouts: { type: "string", default: "3000" },
    rounds: { type: "string", default: "3" },
    profile: { type: "string" },
  },
});
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
      : { ...base.user, id: `u_${i % 5000}` },
    device: { ...base.device, id: `d_${i % 7000}`, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
    payment: { ...base.payment, instrument_id: `pi_${i % 6000}` },
    listing: { ...base.listing, id: `l_${i % 300}`, host_id: `h_${i % 100}` },
    booking: { ...base.booking, amount: flagged ? 1500 + (i % 3000) : 50 + (i % 400) },
  });
}

async function round(count: number): Promise<{ cpuMs: number; modes: Record<string, number> }> {
  const modes: Record<string, number> = {};
  let next = 0;
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < count) {
        const res = await h.app.inject({
          method: "POST",
          url: "/v1/score",
          headers: bearer(TOKENS.score),
          payload: body(),
        });
        const key =
          res.statusCode === 200 ? `${res.json().mode}/${res.json().decision}` : String(res.statusCode);
        modes[key] = (modes[key] ?? 0) + 1;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000, modes };
}

await round(500); // JIT and connections
const profiler = values.profile ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post("Profiler.enable");
  await profiler.post("Profiler.start");
}
const results = [];
for (let r = 0; r < Number(values.rounds); r++) {
  const { cpuMs, modes } = await round(n);
  results.push({ cpu_ms_per_checkout: Math.round((cpuMs / n) * 1000) / 1000, modes });
}
if (profiler && values.profile) {
  const { profile } = await profiler.post("Profiler.stop");
  writeFileSync(values.profile, JSON.stringify(profile));
  profiler.disconnect();
}
// SCAN (every master of a cluster), not KEYS: the shared Redis may hold millions of other keys.
if (h.redis) {
  const keys = await scanKeys(h.redis, `${h.prefix}*`);
  for (const key of keys) await h.redis.unlink(key);
}
await h.close();
process.stdout.write(`${JSON.stringify({ traffic: values.traffic, checkouts: n, results })}\n`);

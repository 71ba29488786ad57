// Nanoseconds per validated POST /v1/score body: TypeBox's compiled check against Ajv (Fastify's
// default validator, with the options the contract needs: nothing coerced, stripped or defaulted)
// on the same schema and the same bodies, and the full decode the route runs (the compiled check,
// calendar dates, the card-number scan). Prints one line per variant; not a test.
// usage: npm run bench:validate -- [--bodies 2000] [--rounds 200]
import { cliArgs } from "@riskgate/feature-store/cli-args";
import { Checkout, decoderFor } from "@riskgate/feature-store/events";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Ajv } from "ajv";

const { values } = cliArgs(import.meta.url, {
  options: {
    bodies: { type: "string", default: "2000" },
    rounds: { type: "string", default: "200" },
  },
});
const bodyCount = Number(values.bodies);
const rounds = Number(values.rounds);

/** Distinct, valid checkouts: different ids, amounts, optional fields and message lengths. */
function body(i: number): unknown {
  const day = String(1 + (i % 28)).padStart(2, "0");
  return {
    event_id: `chk_${i}`,
    occurred_at: `2026-03-${day}T10:${String(i % 60).padStart(2, "0")}:00Z`,
    user: {
      id: `u_${i % 997}`,
      created_at: "2025-11-02T08:00:00.123Z",
      ...(i % 2 ? { email_domain: "example.com", email_verified: i % 4 === 1 } : {}),
    },
    device: {
      id: `d_${i % 331}`,
      ip: `10.${i % 250}.${(i >> 8) % 250}.${i % 7}`,
      ip_country: "PT",
      user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0",
    },
    payment: { instrument_id: `pi_${i % 1499}`, type: "card", bin: "424242", country: "PT" },
    listing: { id: `l_${i % 211}`, host_id: `h_${i % 101}`, country: "PT" },
    booking: {
      amount: 50 + (i % 900) + 0.5,
      currency: "EUR",
      nights: 1 + (i % 14),
      checkin_at: "2026-04-01T15:00:00+01:00",
    },
    message:
      i % 3
        ? { text: `Hello, arriving around ${i % 24}h with ${1 + (i % 4)} guests. `.repeat(1 + (i % 5)) }
        : {},
  };
}

const bodies = Array.from({ length: bodyCount }, (_, i) => body(i));
const typebox = TypeCompiler.Compile(Checkout);
const ajv = new Ajv({
  allErrors: false,
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
}).compile(JSON.parse(JSON.stringify(Checkout)));
const decode = decoderFor(Checkout);

const variants: [string, (v: unknown) => unknown][] = [
  ["typebox compiled check", (v) => typebox.Check(v)],
  ["ajv compiled check", (v) => ajv(v)],
  ["route decode (typebox check + dates + card scan)", decode],
];

for (const b of bodies) {
  if (!typebox.Check(b) || !ajv(b)) throw new Error("a generated body is not a valid checkout");
  decode(b); // throws on a refusal
}

/** Best of three runs of `rounds` passes over every body, so one GC pause or scheduler stall does not decide. */
function nsPerBody(fn: (v: unknown) => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const start = process.hrtime.bigint();
    for (let r = 0; r < rounds; r++) for (const b of bodies) fn(b);
    const ns = Number(process.hrtime.bigint() - start) / (rounds * bodies.length);
    best = Math.min(best, ns);
  }
  return best;
}

for (const [, fn] of variants) nsPerBody(fn); // warm-up: let the JIT settle before measuring
for (const [name, fn] of variants) {
  console.log(`${name.padEnd(50)} ${nsPerBody(fn).toFixed(0).padStart(7)} ns per body`);
}

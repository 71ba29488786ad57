/**
 * Rule evaluation cost per checkout: `npm exec -- node services/scoring-api/src/rules/bench.ts`.
 * A script, not a test: timings on shared CI machines are noise, not pass/fail signals.
 *
 * Measures the shipped default rules (with 10,000 entries in each block list, to show the list
 * lookups do not scan) and the same rules repeated up to 42, the size DESIGN.md sized CEL with.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FEATURES } from "@riskgate/feature-store/definitions";
import type { Checkout } from "@riskgate/feature-store/events";
import { parse, stringify } from "yaml";
import { compileRuleSet } from "./compile.ts";
import { RuleEngine } from "./engine.ts";
import type { RuleInput } from "./evaluate.ts";

const DEFAULT_FILE = fileURLToPath(new URL("../../rules/default.yaml", import.meta.url));

function withBigLists(doc: { lists: Record<string, string[]> }) {
  for (const name of Object.keys(doc.lists)) {
    if (name.startsWith("blocked_") || name === "trusted_users") {
      doc.lists[name] = Array.from({ length: 10_000 }, (_, i) => `${name}-${i}`);
    }
  }
}

function inputs(n: number): RuleInput[] {
  const base = Object.fromEntries(FEATURES.map((f) => [f.name, f.default]));
  return Array.from({ length: n }, (_, i) => {
    const checkout: Checkout = {
      event_id: `e${i}`,
      occurred_at: "2026-03-01T12:00:00Z",
      user: { id: `u${i % 500}`, created_at: "2025-01-01T00:00:00Z", email_domain: "example.com" },
      device: { id: `d${i % 300}`, ip: `10.0.${i % 250}.${i % 200}`, ip_country: i % 97 === 0 ? "IR" : "PT" },
      payment: { instrument_id: `pi${i}`, type: "card", bin: "42424242", country: "PT" },
      listing: { id: "l1", host_id: "h1", country: "PT" },
      booking: {
        amount: 100 + (i % 900),
        currency: "EUR",
        nights: 1 + (i % 7),
        checkin_at: "2026-04-01T00:00:00Z",
      },
      message: i % 3 === 0 ? {} : { text: "hello" },
    };
    const features = {
      ...base,
      instrument_failed_10m: i % 11 === 0 ? 3 : 0,
      instrument_failed_1h: i % 13,
      device_distinct_users_24h: i % 6,
      booking_amount_eur: checkout.booking.amount,
      user_hours_since_password_reset: i % 17 === 0 ? 3 : 720,
      new_device_for_user: i % 2,
    };
    return { features, checkout };
  });
}

function measure(label: string, engine: RuleEngine, data: RuleInput[]) {
  let sink = 0;
  for (let r = 0; r < 3; r++) for (const d of data) sink += engine.evaluate(d).fired.length; // warm up the JIT
  const rounds = 10;
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (const d of data) sink += engine.evaluate(d).fired.length;
  const us = Number(process.hrtime.bigint() - start) / 1000 / (rounds * data.length);
  const rules = engine.ruleSet.evaluated.length;
  console.log(`${label}: ${rules} rules evaluated, ${us.toFixed(1)} µs/checkout (fired total ${sink})`);
}

const doc = parse(readFileSync(DEFAULT_FILE, "utf8"));
withBigLists(doc);
const data = inputs(5_000);
measure("default rules", new RuleEngine(compileRuleSet(stringify(doc), { source: "default+lists" })), data);

const rules = doc.rules as { id: string }[];
const padded = Array.from({ length: 42 }, (_, i) => {
  const r = rules[i % rules.length] as { id: string };
  return { ...r, id: `${r.id}-X${i}` };
});
measure(
  "42 rules",
  new RuleEngine(compileRuleSet(stringify({ ...doc, rules: padded }), { source: "x42" })),
  data,
);

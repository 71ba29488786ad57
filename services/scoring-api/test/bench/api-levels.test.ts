// bench:api-levels' core on tiny levels, through the real API on the real Redis and on the embedded
// store: the shape of what it reports, and that each level's hot entities hold, as the API reads
// them, the history it reports. Not its timings.

import type { Checkout } from "@riskgate/feature-store/events";
import { checkoutOf, levelRun, removeKeys } from "@riskgate/feature-store/level-bench";
import { type ApiHarness, bearer, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { scanKeys } from "@riskgate/test-support/services";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiLevelsOptions, type ApiLevelsResult, runApiLevels } from "../../bench/api-levels.ts";
import { reportLines } from "../../bench/api-levels-report.ts";
import { benchEnv, benchedApi } from "../../bench/benched-api.ts";
import { SHADOWED_RULES, shadowedRulesFile } from "../../bench/shadowed-rules.ts";

const OPTIONS: ApiLevelsOptions = { levels: [10, 300], rounds: 2, checkouts: 20, concurrency: 4, seed: 3 };
const AFTER = OPTIONS.levels.map((l) => l + OPTIONS.rounds * OPTIONS.checkouts);
const logged: string[] = [];
let rules: Awaited<ReturnType<typeof shadowedRulesFile>>;
const apis: Record<string, ApiHarness> = {};
const results: ApiLevelsResult[] = [];

beforeAll(async () => {
  rules = await shadowedRulesFile();
  apis.redis = await startApi({ redis: true, env: benchEnv(rules.path) });
  apis.memory = await startApi({ env: benchEnv(rules.path) });
  for (const h of [apis.redis, apis.memory]) {
    results.push(await runApiLevels(benchedApi(h), OPTIONS, (line) => logged.push(line)));
  }
}, 60_000);
afterAll(async () => {
  // Also when the test that checks the clean-up did not run (a filtered run, a failure before it).
  if (apis.redis?.redis instanceof Redis) await removeKeys(apis.redis.redis, apis.redis.prefix);
  for (const h of Object.values(apis)) await h.close();
  await rules?.remove();
});

/** The hot listing's and host's 24-hour counts the API reads for level `l`'s checkout `i` (raw ids). */
async function heldThroughApi(h: ApiHarness, l: number, i: number) {
  const res = await h.app.inject({
    method: "POST",
    url: "/v1/features",
    headers: bearer(TOKENS.score),
    payload: checkoutOf(levelRun(l), i),
  });
  const f = res.json().features;
  return [f.listing_checkouts_24h, f.host_checkouts_24h];
}

describe("bench:api-levels", () => {
  it("reports a row per API and level: the events before and after its rounds, CPU, ratio, answers, Redis bytes", () => {
    const rows = results.flatMap((r) => r.rows);
    expect(rows.map((r) => [r.api, r.events, r.events_after])).toEqual([
      ["redis", 10, 50],
      ["redis", 300, 340],
      ["memory", 10, 50],
      ["memory", 300, 340],
    ]);
    for (const row of rows) {
      const [low, high] = String(row.cpu_range).split("-").map(Number);
      expect(row.cpu_us).toBeGreaterThan(0);
      expect(row.cpu_us).toBeGreaterThanOrEqual(low as number);
      expect(row.cpu_us).toBeLessThanOrEqual(high as number);
      expect(row.cpu_ratio).toBeGreaterThan(0);
      // With the card-sharing rules in shadow, the model decides: every checkout allowed, normally.
      expect(row.answers).toBe("normal/allow 100.0 %");
      const bytes = Object.keys(row).filter((k) => k.endsWith("_bytes"));
      expect(bytes.sort()).toEqual(
        row.api === "redis" ? ["host_bytes", "ip_bytes", "listing_bytes", "payment_instrument_bytes"] : [],
      );
      for (const k of bytes) expect(row[k]).toBeGreaterThan(0);
    }
    for (const r of results) {
      expect(r.answers).toEqual(
        OPTIONS.levels.map(() => ({ "normal/allow": OPTIONS.rounds * OPTIONS.checkouts })),
      );
    }
    expect(results.map((r) => r.maxBytesAfter)).toEqual([expect.any(Number), 0]);
    expect(results[0]?.maxBytesAfter).toBeGreaterThan(0);
    expect(logged.filter((l) => l.includes("set up in"))).toHaveLength(2);
  });

  it("leaves every level's hot listing and host holding its history and the scored checkouts, as the API reads them", async () => {
    for (const h of [apis.redis, apis.memory] as ApiHarness[]) {
      const held = await Promise.all(OPTIONS.levels.map((_, l) => heldThroughApi(h, l, AFTER[l] as number)));
      expect(held).toEqual(AFTER.map((n) => [n, n]));
    }
  });

  it("refuses to measure a level whose history the API cannot see (set up under raw ids, not its pseudonyms)", async () => {
    const h = await startApi({ env: benchEnv(rules.path) });
    try {
      const raw = { ...benchedApi(h), ids: <C>(c: C) => c };
      await expect(runApiLevels(raw, { ...OPTIONS, levels: [10, 20], rounds: 1 }, () => {})).rejects.toThrow(
        "through the API, the hot listing and host of level #1 hold 0 and 0 checkouts, not 10",
      );
    } finally {
      await h.close();
    }
  });

  it("refuses a level whose IP the API reads under another name than the set-up wrote (the card, listing and host alike)", async () => {
    const h = await startApi({ env: benchEnv(rules.path) });
    try {
      const api = benchedApi(h);
      const otherIp = {
        ...api,
        ids: (c: Checkout) =>
          api.ids({ ...c, device: { ...c.device, ip: c.device.ip.replace(/^10\./, "11.") } }),
      };
      await expect(
        runApiLevels(otherIp, { ...OPTIONS, levels: [10, 20], rounds: 1 }, () => {}),
      ).rejects.toThrow(
        /^memory: through the API, level #1 reads .*ip_checkouts_1h 0 \(under the set-up's ids: 10\).*: the API does not read all that the set-up wrote$/,
      );
    } finally {
      await h.close();
    }
  });

  it("measures every level once per round, in the same seeded orders on every API", () => {
    const [redis, memory] = results as [ApiLevelsResult, ApiLevelsResult];
    expect(redis.orders).toHaveLength(OPTIONS.rounds);
    for (const order of redis.orders) expect([...order].sort()).toEqual([0, 1]);
    expect(memory.orders).toEqual(redis.orders);
  });

  it("states per API the flatness, whether the answers are comparable, the levels the rounds grow, and the 64 KB check", () => {
    const text = reportLines(results, OPTIONS, { version: rules.version, shadowed: SHADOWED_RULES }).join(
      "\n",
    );
    for (const api of ["redis", "memory"]) {
      expect(text).toMatch(
        new RegExp(
          `^${api} API: CPU per checkout flatness \\d+\\.\\d\\d \\((within|OUTSIDE) ≤ 1\\.20\\), plain \\d+\\.\\d\\d$`,
          "m",
        ),
      );
      expect(text).toMatch(new RegExp(`^${api} API answers: comparable \\(`, "m"));
    }
    expect(text).toContain(
      "the in-process client's work (app.inject, serialising each body, parsing each answer), included equally at every level",
    );
    expect(text).toContain(
      `rules ${rules.version}: the default rules with R-REVIEW-INSTRUMENT-MANY-ACCOUNTS, R-BLOCK-INSTRUMENT-MANY-ACCOUNTS in shadow`,
    );
    expect(text).toContain("the scored checkouts grow the 10-event level to 50 events");
    expect(text).not.toContain("the 300-event level");
    expect(text).toMatch(
      /largest hot entity in Redis: \d+ bytes at its level's events, \d+ after the rounds \(within ≤ 65536\)/,
    );
  });

  it("removes every key of the Redis API's run", async () => {
    const redis = apis.redis?.redis;
    if (!(redis instanceof Redis)) throw new Error("the standalone Redis");
    expect(await removeKeys(redis, apis.redis?.prefix as string)).toBeGreaterThan(0);
    expect(await scanKeys(redis, `${apis.redis?.prefix}*`)).toEqual([]);
  });
});

// cpu-per-checkout.ts's --admission on a few injected checkouts against the real Redis: every
// checkout takes the overload path asked for, and the bench says which. Not its timings.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { redisUrl } from "@riskgate/test-support/services";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

async function bench(admission: string, more: string[] = []) {
  const { stdout } = await run(
    process.execPath,
    [
      "services/scoring-api/bench/cpu-per-checkout.ts",
      ...["--modes", "inject", "--checkouts", "40", "--rounds", "1", "--admission", admission, ...more],
    ],
    { env: { ...process.env, REDIS_URL: redisUrl() }, timeout: 120_000 },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1) as string) as {
    wiring: { admission: string };
    rounds: { cell: string; decisions: Record<string, number> }[][];
  };
}

describe("cpu-per-checkout --admission", () => {
  it("sheds every checkout with a 503 at the shed bound", async () => {
    const out = await bench("shed");
    expect(out.wiring.admission).toBe("shed");
    expect(out.rounds[0]?.[0]?.decisions).toEqual({ "503": 40 });
  }, 120_000);

  it("answers every checkout from the rules on request-time data at the degrade bound", async () => {
    const out = await bench("degrade");
    const decisions = out.rounds[0]?.[0]?.decisions ?? {};
    expect(Object.keys(decisions).every((k) => k.startsWith("degraded/"))).toBe(true);
    expect(Object.values(decisions).reduce((a, b) => a + b, 0)).toBe(40);
  }, 120_000);

  it("refuses a pinned level together with the real lag probe", async () => {
    await expect(bench("shed", ["--lag-probe"])).rejects.toThrow(/not with --lag-probe/);
  });
});

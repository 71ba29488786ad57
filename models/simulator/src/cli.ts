import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { resolveOptions } from "./config.ts";
import { generateWorld } from "./generate.ts";
import { generatorFingerprint } from "./generator-fingerprint.ts";
import { createProgress } from "./progress.ts";

const USAGE = `usage: npm run simulate -- --out DIR [options]

  --out DIR                  output directory (created if missing)        required
  --seed N                   random seed (0 … 2^32-1)                      default 1
  --days N                   simulated days                                default 100
  --checkouts-per-day N      average checkouts per day                     default 3000
  --start DATE               midnight of the first day (RFC 3339)          default 2026-01-05T00:00:00Z
  --fraud-rate-scale X       multiply every fraud pattern's rate            default 1
  --drift-days N             final days with adapted fraud behaviour        default min(14, days/4)
  --no-validate              skip decodeEvent on every event (faster)
  --quiet                    no progress on stderr
  --reuse                    keep --out's world if this generator made it with these options
  -h, --help`;

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: "string" },
      seed: { type: "string" },
      days: { type: "string" },
      "checkouts-per-day": { type: "string" },
      start: { type: "string" },
      "fraud-rate-scale": { type: "string" },
      "drift-days": { type: "string" },
      "no-validate": { type: "boolean" },
      quiet: { type: "boolean" },
      reuse: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.out) throw new Error("--out is required");
  const options = resolveOptions({
    out: values.out,
    seed: number(values.seed, "seed"),
    days: number(values.days, "days"),
    checkoutsPerDay: number(values["checkouts-per-day"], "checkouts-per-day"),
    start: values.start,
    fraudRateScale: number(values["fraud-rate-scale"], "fraud-rate-scale"),
    driftDays: number(values["drift-days"], "drift-days"),
    validate: !values["no-validate"],
  });
  // The stamp names the generator and every option but the folder: a cache is reused only if both match.
  const { out: _out, ...made } = options;
  const stamp = JSON.stringify({ generator: generatorFingerprint(), options: made });
  const stampFile = join(options.out, ".generator-stamp");
  if (values.reuse) {
    const current = existsSync(join(options.out, "world.json")) && existsSync(stampFile);
    if (current && readFileSync(stampFile, "utf8") === stamp) {
      process.stdout.write(`${JSON.stringify({ out: options.out, reused: true })}\n`);
      return;
    }
    rmSync(options.out, { recursive: true, force: true });
  }
  const progress = values.quiet ? undefined : createProgress(process.stderr, () => performance.now());
  const summary = await generateWorld(options, {
    onProgress: ({ done, total, events }) =>
      progress?.update(done / total, `day ${Math.min(done, options.days)}/${options.days}, ${events} events`),
  });
  progress?.done(`${summary.events} events in ${summary.generation.seconds}s`);
  // Written last: a run cut short leaves no stamp, so the next --reuse generates again.
  if (values.reuse) writeFileSync(stampFile, stamp);
  process.stdout.write(
    `${JSON.stringify({
      out: options.out,
      events: summary.events,
      checkouts: summary.checkouts,
      fraud_rate: summary.fraud_rate,
      patterns: summary.patterns,
      seconds: summary.generation.seconds,
      events_per_second: summary.generation.events_per_second,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`simulate: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exitCode = 1;
});

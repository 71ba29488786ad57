// A small simulated world, its event log in replay order, and its backfilled training rows: the
// fixture of every test that compares serving with training.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  backfill,
  ID_COLUMNS,
  type LogEntry,
  mergedEventLog,
  TABLE_FILE,
} from "@riskgate/feature-store/backfill";
import type { FeatureSet } from "@riskgate/feature-store/definitions";
import { pseudonymiserFor } from "@riskgate/feature-store/events";
import { type Generated, generate } from "./simulated-world.ts";

export interface BackfilledWorld {
  readonly world: Generated;
  /** Every event in the order the backfill replayed it. */
  readonly log: LogEntry[];
  /** Feature values of each checkout's training row, by checkout event id. */
  readonly rows: Map<string, number[]>;
}

export async function backfilledWorld(
  features: FeatureSet,
  options: { seed: number; days: number; checkoutsPerDay: number },
): Promise<BackfilledWorld> {
  const world = await generate(options);
  const out = join(world.dir, "table");
  // The embedded default's key: the API harness pseudonymises with it too.
  await backfill({
    inDir: world.dir,
    outDir: out,
    features,
    pseudonymiser: pseudonymiserFor({}).pseudonymiser,
  });
  const rows = new Map<string, number[]>();
  const [, ...lines] = (await readFile(join(out, TABLE_FILE), "utf8")).trim().split("\n");
  for (const line of lines) {
    const cells = line.split(",");
    rows.set(cells[0] as string, cells.slice(ID_COLUMNS.length).map(Number));
  }
  const log: LogEntry[] = [];
  for await (const entry of mergedEventLog(world.dir, { invalid: new Map() })) log.push(entry);
  return { world, log, rows };
}

import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { ID_COLUMNS } from "@riskgate/feature-store/backfill";
import { type Checkout, decodeEvent } from "@riskgate/feature-store/events";

/** The leading columns of a backfilled training table; the features follow them. */
const TABLE_ID_COLUMNS = ID_COLUMNS.length;

export class ReplayInputError extends Error {
  readonly code = "replay_input";
}

function lines(path: string) {
  return createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
}

/**
 * The world's checkouts (checkouts.jsonl, sorted by occurred_at) with `from <= occurred_at < to`,
 * decoded with the API's own event contract so a replayed body is one POST /v1/score would accept.
 */
export async function readCheckouts(path: string, window: { from: number; to: number }): Promise<Checkout[]> {
  const out: Checkout[] = [];
  let n = 0;
  for await (const line of lines(path)) {
    n++;
    if (line.length === 0) continue;
    const json = JSON.parse(line);
    // Decoding is most of the cost; checkouts outside the window are only dated.
    const t = Date.parse(json?.occurred_at);
    if (t < window.from || t >= window.to) continue;
    const event = decodeEvent(json);
    if (event.type !== "checkout") throw new ReplayInputError(`${path}:${n}: not a checkout (${event.type})`);
    const { type: _type, ...checkout } = event;
    out.push(checkout);
  }
  return out;
}

/**
 * Feature rows of the wanted checkouts from a backfilled table (training.csv). The header must list
 * exactly the serving feature set's names in order: a row computed by other definitions would be
 * replayed against rules that read it by name, silently.
 */
export async function readFeatureRows(
  path: string,
  featureNames: readonly string[],
  wanted: ReadonlySet<string>,
): Promise<Map<string, number[]>> {
  const rows = new Map<string, number[]>();
  let header = true;
  for await (const line of lines(path)) {
    const cells = line.split(",");
    if (header) {
      const names = cells.slice(TABLE_ID_COLUMNS);
      if (names.join(",") !== featureNames.join(",")) {
        throw new ReplayInputError(
          `${path}: feature columns differ from the serving feature set (first difference at column ${
            TABLE_ID_COLUMNS + firstDifference(names, featureNames)
          })`,
        );
      }
      header = false;
      continue;
    }
    const id = cells[0] as string;
    if (!wanted.has(id)) continue;
    rows.set(id, cells.slice(TABLE_ID_COLUMNS).map(Number));
  }
  return rows;
}

/** `event_id,score` lines (header first): the calibrated probability a system's model gave each checkout. */
export async function readScores(path: string): Promise<Map<string, number>> {
  const scores = new Map<string, number>();
  let n = 0;
  for await (const line of lines(path)) {
    n++;
    if (n === 1 || line.length === 0) continue;
    const [id, raw] = line.split(",");
    const score = Number(raw);
    if (!id || !Number.isFinite(score) || score < 0 || score > 1) {
      throw new ReplayInputError(`${path}:${n}: expected event_id,score with 0 <= score <= 1`);
    }
    scores.set(id, score);
  }
  return scores;
}

function firstDifference(a: readonly string[], b: readonly string[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { decodeEvent } from "../events/index.ts";

/**
 * For each checkout, the time its first fraud label became known. A checkout counts as fraud in
 * the training table only if that time is at or before the cut-off: what a model trained on that
 * day could have known, which is how delayed chargebacks bias real training data.
 */
export async function fraudLabelTimes(dir: string): Promise<Map<string, number>> {
  const known = new Map<string, number>();
  const path = join(dir, "labels.jsonl");
  if (!existsSync(path)) return known;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line.length === 0) continue;
    let event: ReturnType<typeof decodeEvent>;
    try {
      event = decodeEvent(JSON.parse(line));
    } catch {
      continue; // counted by the main replay, which reads the same file
    }
    if ((event.type === "chargeback" || event.type === "review_outcome") && event.label === "fraud") {
      const t = Date.parse(event.occurred_at);
      const prev = known.get(event.checkout_event_id);
      if (prev === undefined || t < prev) known.set(event.checkout_event_id, t);
    }
  }
  return known;
}

// A simulated world as the benches replay it: its payments, logins, listings and labels, and the
// checkouts before a cut-off, go into the store as history (as serving would have applied them);
// the last `replayCount` checkouts come back as request bodies, in time order, to be scored once
// each, so velocity features and the review rate look like production rather than a replayed
// burst. (Non-checkout events after the cut-off are loaded up front too: a small look-ahead that
// only inflates lifetime counters.)
import { mergedEventLog } from "@riskgate/feature-store/backfill";
import type { DomainEvent, Pseudonymiser } from "@riskgate/feature-store/events";
import type { OnlineStore } from "@riskgate/feature-store/online";
import { update } from "@riskgate/feature-store/update";

export interface WorldReplay {
  /** Events loaded as history. */
  readonly historyEvents: number;
  /** The checkouts after the cut-off, as POST /v1/score bodies (JSON), oldest first. */
  readonly bodies: string[];
}

/**
 * Loads `dir`'s history into `store` under the API's pseudonyms (the API pseudonymises what it is
 * sent with the same key, so history stored otherwise would never be seen) and returns the bodies.
 */
export async function loadWorld(
  dir: string,
  store: Pick<OnlineStore, "applyBatch">,
  pseudonymiser: Pseudonymiser,
  replayCount: number,
): Promise<WorldReplay> {
  const log: DomainEvent[] = [];
  for await (const { event } of mergedEventLog(dir, { invalid: new Map() })) log.push(event);
  const checkoutIndexes = log.flatMap((e, i) => (e.type === "checkout" ? [i] : []));
  if (checkoutIndexes.length < replayCount + 1000) {
    throw new Error(
      `the world in ${dir} has ${checkoutIndexes.length} checkouts; ${replayCount} are needed: simulate more days`,
    );
  }
  const cut = checkoutIndexes[checkoutIndexes.length - replayCount] as number;
  const toUpdate = (e: DomainEvent) => update(pseudonymiser.event(e, "client"));
  const bodies: string[] = [];
  let history: DomainEvent[] = [];
  for (const [i, e] of log.entries()) {
    if (e.type === "checkout" && i >= cut) {
      const { type: _t, ...body } = e;
      bodies.push(JSON.stringify(body));
      continue;
    }
    history.push(e);
    if (history.length === 1000) {
      await store.applyBatch(history.map(toUpdate));
      history = [];
    }
  }
  await store.applyBatch(history.map(toUpdate));
  return { historyEvents: cut, bodies };
}

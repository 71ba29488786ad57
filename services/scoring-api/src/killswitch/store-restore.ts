import type { Logger } from "@riskgate/common/logger";
import type { Snapshot, SwitchStore } from "./types.ts";

/**
 * The store is behind this replica (flushed, restarted without persistence, restored from an old
 * backup): the switches this replica holds go back into it, so an engaged switch stays engaged
 * until an operator releases it. Racing replicas are safe: the script restores only while the
 * store is still behind.
 */
export async function restoreStore(
  store: SwitchStore,
  held: Snapshot,
  storeVersion: number,
  logger: Logger,
  at: string,
): Promise<void> {
  const reason = `kill-switch store at version ${storeVersion}, below this replica's ${held.version} (Redis lost its data): restored from a replica`;
  logger.warn(
    { from: held.version, to: storeVersion, engaged: engagedTargets(held) },
    "kill-switch store version went backwards: restoring the state this replica holds",
  );
  await store.restore(held, { actor: "system:replica-restore", reason, at });
}

export function engagedTargets(snap: Snapshot): string[] {
  return [...snap.switches].filter(([, s]) => s.engaged).map(([t]) => t);
}

/**
 * The kill-switch contract: one global switch (every model off, rules only) and one switch per model
 * version (a canary or shadow off alone). Every change bumps one store-wide version counter, so a
 * replica knows it is up to date by comparing a single integer.
 */

/** `global`, or `model:<version>` for one model version. */
export type Target = "global" | `model:${string}`;

export const GLOBAL: Target = "global";
export const modelTarget = (version: string): Target => `model:${version}`;

export interface SwitchState {
  readonly engaged: boolean;
  /** Why the operator changed it; null while the switch was never set. */
  readonly reason: string | null;
  /** Who made the change: the key holder's configured name, else the key id (`key_…`, never the key). */
  readonly actor: string | null;
  /** ISO-8601 time of the change. */
  readonly changed_at: string | null;
  /** The store version this change created (0 = never set). */
  readonly version: number;
}

export const NEVER_SET: SwitchState = {
  engaged: false,
  reason: null,
  actor: null,
  changed_at: null,
  version: 0,
};

export interface Snapshot {
  /** Store-wide change counter: incremented atomically on every change of any switch. */
  readonly version: number;
  readonly switches: ReadonlyMap<string, SwitchState>;
}

export const EMPTY_SNAPSHOT: Snapshot = { version: 0, switches: new Map() };

export interface Change {
  readonly engaged: boolean;
  readonly reason: string;
  readonly actor: string;
  /** ISO-8601. */
  readonly at: string;
}

/** One audit log entry: what changed, who, when, why. */
export interface AuditEntry {
  /** The entry id in the log (a Redis stream id, or a counter in memory). */
  readonly id: string;
  readonly version: number;
  readonly target: string;
  readonly engaged: boolean;
  readonly previous_engaged: boolean;
  readonly reason: string;
  readonly actor: string;
  readonly changed_at: string;
}

/** Where switch state lives: Redis for a fleet, process memory for the embedded default. */
export interface SwitchStore {
  readonly kind: "redis" | "memory";
  /** Every switch and the store version, in one round trip. */
  read(): Promise<Snapshot>;
  /** Only the store version: what the poll reads. */
  readVersion(): Promise<number>;
  /** Atomically: bump the version, set the switch, append to the audit log, publish. */
  change(target: Target, change: Change): Promise<SwitchState>;
  /** Newest first. */
  audit(limit: number): Promise<AuditEntry[]>;
  /**
   * Writes a replica's snapshot back into a store whose version is below it (the store lost its
   * data): atomically, only while the store is still behind; switches the store already holds
   * (set after the loss) are kept. The version becomes max(store, snapshot) + 1, so every replica
   * re-reads. Each restored switch gets an audit entry. Returns the store version afterwards.
   */
  restore(snapshot: Snapshot, note: { actor: string; reason: string; at: string }): Promise<number>;
}

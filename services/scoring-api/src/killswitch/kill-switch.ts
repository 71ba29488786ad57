import type { Logger } from "@riskgate/common/logger";
import type { Gauge } from "prom-client";
import type { Subscription } from "./redis-store.ts";
import { engagedTargets, restoreStore } from "./store-restore.ts";
import {
  type AuditEntry,
  EMPTY_SNAPSHOT,
  GLOBAL,
  modelTarget,
  NEVER_SET,
  type Snapshot,
  type SwitchState,
  type SwitchStore,
  type Target,
} from "./types.ts";

export interface KillSwitchMetrics {
  readonly killSwitchEngaged: Gauge<string>;
  readonly modelSwitchEngaged: Gauge<"version">;
  readonly killSwitchVersion: Gauge<string>;
  readonly killSwitchStale: Gauge<string>;
}

export interface KillSwitchOptions {
  readonly store: SwitchStore;
  readonly logger: Logger;
  /** How often to read the store version (the fallback when a pub/sub notice is missed); 0: never. */
  readonly pollMs: number;
  /** Starts listening for change notices and calls back with the announced version. */
  readonly subscribe?: (onNotice: (version: number) => void) => Subscription;
  readonly metrics?: KillSwitchMetrics;
  /** Model versions this replica serves: their per-version gauge is kept. */
  readonly modelVersions?: readonly string[];
  /** Past this age without a successful read of the store, the state is reported stale. */
  readonly staleAfterMs?: number;
  /** How long start() retries the first read (the Redis client may still be connecting). Default 2 s. */
  readonly startWaitMs?: number;
  /**
   * The global switch of a replica that cannot read the store at start (KILL_SWITCH_DEFAULT):
   * `engaged` (the default: the model stays out until the store confirms otherwise, so a switch an
   * operator engaged is never lifted by an outage) or `released`.
   */
  readonly startDefault?: "engaged" | "released";
  readonly now?: () => number;
}

export interface SyncStatus {
  readonly store: "redis" | "memory";
  /** The store version this replica has applied. */
  readonly store_version: number;
  /** true when this replica could not confirm the state recently: it keeps the last known one. */
  readonly stale: boolean;
  readonly last_synced_at: string | null;
}

type Source = "start" | "pubsub" | "poll" | "local";

/**
 * This replica's view of the kill-switches. The scoring hot path reads it from memory
 * (globalEngaged / versionEngaged never touch Redis); it follows the store by pub/sub notices and,
 * as a fallback, by polling the store version. When the store is unreachable it keeps the last
 * state it saw (fail static) and says so (`stale`).
 */
export class KillSwitch {
  private snap: Snapshot = EMPTY_SNAPSHOT;
  private lastSyncedAt: number | null = null;
  /** Consecutive failed reads; one slow command on a busy box is not an outage. */
  private failures = 0;
  private warned = false;
  private pending: Source | null = null;
  private draining: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private subscription: Subscription | undefined;
  private closed = false;
  private readonly now: () => number;
  private readonly opts: KillSwitchOptions;

  constructor(opts: KillSwitchOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
  }

  /** Reads the state (retrying for startWaitMs; then it starts on KILL_SWITCH_DEFAULT, stale), then follows changes. */
  async start(): Promise<void> {
    const deadline = Date.now() + (this.opts.startWaitMs ?? 2_000);
    await this.refresh("start");
    while (this.lastSyncedAt === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      await this.refresh("start");
    }
    if (this.lastSyncedAt === null) {
      const engaged = (this.opts.startDefault ?? "engaged") === "engaged";
      if (engaged) this.snap = assumedEngaged(new Date(this.now()).toISOString());
      this.publishMetrics();
      this.opts.logger.error(
        { engaged },
        `kill-switch state could not be read at start: serving ${engaged ? "engaged (rules only)" : "disengaged"} (KILL_SWITCH_DEFAULT, stale) until the store answers`,
      );
    }
    if (this.opts.store.kind === "memory") return;
    this.subscription = this.opts.subscribe?.((version) => {
      if (version !== this.snap.version) void this.refresh("pubsub");
    });
    if (this.opts.pollMs > 0) {
      this.timer = setInterval(() => void this.poll(), this.opts.pollMs);
      this.timer.unref();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.draining;
    await this.subscription?.close();
  }

  // --- hot path: memory only ---
  globalEngaged(): boolean {
    return this.snap.switches.get(GLOBAL)?.engaged ?? false;
  }

  versionEngaged(version: string): boolean {
    return this.snap.switches.get(modelTarget(version))?.engaged ?? false;
  }

  // --- admin ---
  state(target: Target): SwitchState {
    return this.snap.switches.get(target) ?? NEVER_SET;
  }

  status(): SyncStatus {
    const memory = this.opts.store.kind === "memory";
    const staleAfter = this.opts.staleAfterMs ?? Math.max(1_000, 4 * this.opts.pollMs);
    return {
      store: this.opts.store.kind,
      store_version: this.snap.version,
      stale: !memory && (this.lastSyncedAt === null || this.now() - this.lastSyncedAt > staleAfter),
      last_synced_at: this.lastSyncedAt === null ? null : new Date(this.lastSyncedAt).toISOString(),
    };
  }

  /** Changes a switch in the store (atomic, audited, announced) and applies it here at once. */
  async set(
    target: Target,
    change: { engaged: boolean; reason: string; actor: string },
  ): Promise<SwitchState> {
    // A store that lost its data would number this change below what replicas hold, and they would
    // restore over it: put the known state back first.
    const stored = await this.opts.store.readVersion();
    if (stored < this.snap.version) await this.restoreStore(stored);
    const state = await this.opts.store.change(target, { ...change, at: new Date(this.now()).toISOString() });
    this.opts.logger.info(
      { target, engaged: state.engaged, actor: state.actor, reason: state.reason, version: state.version },
      state.engaged ? "kill switch engaged" : "kill switch disengaged",
    );
    // Apply our own change now, without claiming the new store version: changes by others in
    // between are picked up by the refresh below (or the next poll).
    const switches = new Map(this.snap.switches);
    switches.set(target, state);
    this.snap = { version: this.snap.version, switches };
    this.publishMetrics();
    await this.refresh("local");
    return this.state(target);
  }

  audit(limit: number): Promise<AuditEntry[]> {
    return this.opts.store.audit(limit);
  }

  /** Reads the store version and refreshes when it differs (the fallback for missed notices). */
  async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const version = await this.opts.store.readVersion();
      this.recovered();
      // Never read yet (started on KILL_SWITCH_DEFAULT): the first answer replaces the assumption.
      if (version === this.snap.version && this.lastSyncedAt !== null) this.lastSyncedAt = this.now();
      else if (version < this.snap.version) await this.restoreStore(version);
      else await this.refresh("poll");
    } catch (err) {
      this.failed(err);
    } finally {
      this.polling = false;
      this.publishMetrics();
    }
  }

  /** Puts this replica's state back into a store that fell behind it, then re-reads (store-restore.ts). */
  private async restoreStore(storeVersion: number): Promise<void> {
    const at = new Date(this.now()).toISOString();
    await restoreStore(this.opts.store, this.snap, storeVersion, this.opts.logger, at);
    await this.refresh("poll");
  }

  /** Re-reads the whole state; concurrent requests coalesce into one read after the current one. */
  refresh(source: Source): Promise<void> {
    this.pending = source;
    if (!this.draining) {
      this.draining = this.drain().finally(() => {
        this.draining = null;
      });
    }
    return this.draining;
  }

  private async drain(): Promise<void> {
    while (this.pending) {
      const source = this.pending;
      this.pending = null;
      try {
        this.apply(await this.opts.store.read(), source);
        this.recovered();
        this.lastSyncedAt = this.now();
      } catch (err) {
        this.failed(err);
      }
    }
    this.publishMetrics();
  }

  private apply(next: Snapshot, source: Source): void {
    const prev = this.snap;
    // An older read finishing late, or a store that lost its data: the poll restores the latter.
    if (next.version < prev.version) return;
    const targets = new Set([...prev.switches.keys(), ...next.switches.keys()]);
    for (const t of targets) {
      const a = prev.switches.get(t);
      const b = next.switches.get(t);
      if (a?.version === b?.version && a?.engaged === b?.engaged) continue;
      if (source === "local" || source === "start") continue;
      this.opts.logger.info(
        {
          target: t,
          engaged: b?.engaged ?? false,
          version: b?.version ?? 0,
          actor: b?.actor,
          reason: b?.reason,
          via: source,
        },
        "kill switch change received",
      );
    }
    this.snap = next;
    if (source === "start" && next.switches.size > 0) {
      this.opts.logger.info(
        { version: next.version, engaged: engagedTargets(next) },
        "kill-switch state loaded",
      );
    }
  }

  private failed(err: unknown): void {
    this.failures++;
    if (this.failures >= 3 && !this.warned) {
      this.warned = true;
      this.opts.logger.warn(
        {
          err,
          version: this.snap.version,
          globalEngaged: this.globalEngaged(),
          lastSyncedAt: this.status().last_synced_at,
        },
        "kill-switch store unreachable: keeping the last known state (fail static)",
      );
    }
  }

  private recovered(): void {
    if (this.warned) this.opts.logger.info("kill-switch store reachable again");
    this.failures = 0;
    this.warned = false;
  }

  private publishMetrics(): void {
    const m = this.opts.metrics;
    if (!m) return;
    m.killSwitchEngaged.set(this.globalEngaged() ? 1 : 0);
    m.killSwitchVersion.set(this.snap.version);
    m.killSwitchStale.set(this.status().stale ? 1 : 0);
    for (const v of this.opts.modelVersions ?? []) {
      m.modelSwitchEngaged.set({ version: v }, this.versionEngaged(v) ? 1 : 0);
    }
  }
}

/** The state a replica assumes when it starts without the store and KILL_SWITCH_DEFAULT=engaged. */
function assumedEngaged(at: string): Snapshot {
  const state: SwitchState = {
    engaged: true,
    reason: "KILL_SWITCH_DEFAULT=engaged: the kill-switch store was unreachable at start",
    actor: "system:kill-switch-default",
    changed_at: at,
    // Version 0: any state the store holds, even an empty one, replaces this assumption.
    version: 0,
  };
  return { version: 0, switches: new Map([[GLOBAL, state]]) };
}

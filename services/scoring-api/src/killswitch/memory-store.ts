import type { AuditEntry, Change, Snapshot, SwitchState, SwitchStore, Target } from "./types.ts";

/** The embedded default: one process, same contract; the audit log is kept in memory, bounded. */
export class MemorySwitchStore implements SwitchStore {
  readonly kind = "memory";
  private version = 0;
  private readonly switches = new Map<string, SwitchState>();
  private readonly log: AuditEntry[] = [];
  private readonly auditMaxEntries: number;

  constructor(auditMaxEntries = 100_000) {
    this.auditMaxEntries = auditMaxEntries;
  }

  async read(): Promise<Snapshot> {
    return { version: this.version, switches: new Map(this.switches) };
  }

  async readVersion(): Promise<number> {
    return this.version;
  }

  async change(target: Target, c: Change): Promise<SwitchState> {
    const previous = this.switches.get(target)?.engaged ?? false;
    const version = ++this.version;
    const state: SwitchState = {
      engaged: c.engaged,
      reason: c.reason,
      actor: c.actor,
      changed_at: c.at,
      version,
    };
    this.switches.set(target, state);
    this.log.push({
      id: String(version),
      version,
      target,
      engaged: c.engaged,
      previous_engaged: previous,
      reason: c.reason,
      actor: c.actor,
      changed_at: c.at,
    });
    if (this.log.length > this.auditMaxEntries) this.log.splice(0, this.log.length - this.auditMaxEntries);
    return state;
  }

  async audit(limit: number): Promise<AuditEntry[]> {
    return this.log.slice(-limit).reverse();
  }
}

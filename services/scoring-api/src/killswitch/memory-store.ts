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
    this.append({
      id: String(version),
      version,
      target,
      engaged: c.engaged,
      previous_engaged: previous,
      reason: c.reason,
      actor: c.actor,
      changed_at: c.at,
    });
    return state;
  }

  private append(entry: AuditEntry): void {
    this.log.push(entry);
    if (this.log.length > this.auditMaxEntries) this.log.splice(0, this.log.length - this.auditMaxEntries);
  }

  async restore(snapshot: Snapshot, note: { actor: string; reason: string; at: string }): Promise<number> {
    if (this.version >= snapshot.version) return this.version;
    this.version = snapshot.version + 1;
    for (const [target, state] of snapshot.switches) {
      if (this.switches.has(target)) continue;
      this.switches.set(target, state);
      this.append({
        id: String(this.version),
        version: this.version,
        target,
        engaged: state.engaged,
        previous_engaged: false,
        reason: note.reason,
        actor: note.actor,
        changed_at: note.at,
      });
    }
    return this.version;
  }

  async audit(limit: number): Promise<AuditEntry[]> {
    return this.log.slice(-limit).reverse();
  }
}

import type { EvasionGroup, FeatureSpec } from "../definitions/feature-spec.ts";
import { type DomainEvent, topicForEventType } from "../events/index.ts";
import type { EventUpdate } from "../online/contract.ts";

/** Events of one type observed before that type's write pattern is taken as known. */
const SAMPLES_PER_TYPE = 5_000;

export interface FeatureSource {
  readonly entity: string;
  /** Served when the feature's inputs are absent (what a silent upstream stream leaves behind). */
  readonly default: number;
  /** Input topics whose events write the state this feature reads; [] for request-time features. */
  readonly topics: readonly string[];
  /** A lifetime counter or an age (FeatureSpec.growsWithAge): no PSI alert on it. */
  readonly grows_with_age: boolean;
  /** Its group of attacker-set features (FeatureSpec.evadable), read by training's evasion mimicry. */
  readonly evadable: EvasionGroup | null;
}

/**
 * Learns which input topic writes which piece of entity state by watching `update`'s output during
 * the replay (the first few thousand events of each type), then maps every feature to the topics
 * its reads depend on. Derived from the code that runs, so it cannot drift from `update`.
 */
export class FeatureSourceTracker {
  private readonly seen = new Map<string, number>();
  /** "entity/stream:name" or "entity/field:name" → topics that write it. */
  private readonly writers = new Map<string, Set<string>>();

  observe(event: DomainEvent, u: EventUpdate): void {
    const n = this.seen.get(event.type) ?? 0;
    if (n >= SAMPLES_PER_TYPE) return;
    this.seen.set(event.type, n + 1);
    const topic = topicForEventType(event.type);
    for (const e of u.entities) {
      for (const m of e.mutations) {
        const key =
          m.op === "count"
            ? `${e.entity}/stream:${m.stream}`
            : m.op === "distinct"
              ? `${e.entity}/set:${m.set}`
              : `${e.entity}/field:${m.field}`;
        const set = this.writers.get(key) ?? new Set<string>();
        set.add(topic);
        this.writers.set(key, set);
      }
    }
  }

  sources(specs: readonly FeatureSpec[]): Record<string, FeatureSource> {
    const out: Record<string, FeatureSource> = {};
    for (const spec of specs) {
      const topics = new Set<string>();
      for (const key of reads(spec)) for (const t of this.writers.get(key) ?? []) topics.add(t);
      out[spec.name] = {
        entity: spec.entity,
        default: spec.default,
        topics: [...topics].sort(),
        grows_with_age: spec.growsWithAge === true,
        evadable: spec.evadable,
      };
    }
    return out;
  }
}

function reads(spec: FeatureSpec): string[] {
  const s = spec.source;
  switch (s.kind) {
    case "window_count":
      return [`${spec.entity}/stream:${s.stream}`];
    case "distinct_count":
    case "set_member":
      return [`${spec.entity}/set:${s.set}`];
    case "field":
    case "time_since":
      return [`${spec.entity}/field:${s.field}`];
    case "entity_and_request":
      return s.fields.map((f) => `${spec.entity}/field:${f}`);
    case "request":
      return [];
  }
}

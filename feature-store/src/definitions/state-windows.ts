import type { Entity } from "./entities.ts";
import type { FeatureSpec } from "./feature-spec.ts";
import { FEATURES } from "./features.ts";

/**
 * Which windows each entity's counted streams and sets are read over, from the feature
 * definitions: `update` passes them with every write, so the stores keep the buckets (and, past
 * the cap, the HyperLogLogs) that some feature reads and nothing more.
 */
export class StateWindows {
  private readonly windows = new Map<string, number[]>();

  constructor(specs: readonly FeatureSpec[]) {
    for (const s of specs) {
      const src = s.source;
      if (src.kind === "window_count") this.add(s.entity, src.stream, src.windowMs);
      if (src.kind === "distinct_count") this.add(s.entity, src.set, src.windowMs);
    }
  }

  private add(entity: string, name: string, windowMs: number): void {
    const key = `${entity}/${name}`;
    const list = this.windows.get(key) ?? [];
    if (!list.includes(windowMs)) list.push(windowMs);
    this.windows.set(
      key,
      list.sort((a, b) => a - b),
    );
  }

  /** The windows read over an entity's stream or set; [] when no feature reads it. */
  of(entity: Entity, name: string): readonly number[] {
    return this.windows.get(`${entity}/${name}`) ?? [];
  }
}

/** The windows of the served feature set. */
export const FEATURE_WINDOWS = new StateWindows(FEATURES);

import type { ScoringModel } from "../decision/types.ts";

export type ModelRole = "champion" | "canary";

/** FNV-1a: stable across processes and releases, so a user stays on one side of a canary. */
export function bucketOf(key: string, buckets = 10_000): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % buckets;
}

export interface CanaryConfig {
  readonly model: ScoringModel;
  /** Share of users (0–100) whose checkouts the canary decides. */
  readonly percent: number;
}

/** Chooses the deciding model per user (champion or canary) and lists the shadow models. */
export class ModelRouter {
  readonly champion: ScoringModel;
  readonly canary: CanaryConfig | undefined;
  readonly shadows: readonly ScoringModel[];
  private readonly enabled: (model: ScoringModel) => boolean;

  constructor(
    champion: ScoringModel,
    canary: CanaryConfig | undefined,
    shadows: readonly ScoringModel[],
    /** false takes a model out (kill-switch): a disabled canary's users go to the champion. */
    enabled: (model: ScoringModel) => boolean = () => true,
  ) {
    this.champion = champion;
    this.canary = canary;
    this.shadows = shadows;
    this.enabled = enabled;
  }

  route(userId: string): { model: ScoringModel; role: ModelRole } {
    if (this.canary && bucketOf(userId) < this.canary.percent * 100 && this.enabled(this.canary.model)) {
      return { model: this.canary.model, role: "canary" };
    }
    return { model: this.champion, role: "champion" };
  }

  all(): ScoringModel[] {
    return [this.champion, ...(this.canary ? [this.canary.model] : []), ...this.shadows];
  }
}

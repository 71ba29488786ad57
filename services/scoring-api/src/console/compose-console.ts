import type { Closer } from "@riskgate/common/shutdown";
import type { KillSwitch } from "../killswitch/kill-switch.ts";
import type { ModelRouter } from "../model/model-router.ts";
import type { Resilience } from "../resilience/wiring.ts";
import type { ReviewSnapshot } from "../review/review-metrics.ts";
import { modelEntries } from "../routes/admin.ts";
import { LiveSampler, type SampledMetrics } from "./live-sampler.ts";
import { buildSummary } from "./summary.ts";
import type { ConsoleSummary } from "./summary-schema.ts";

export interface ConsoleWiring {
  readonly metrics: SampledMetrics;
  readonly resilience: Pick<Resilience, "redis" | "models">;
  readonly router: ModelRouter;
  readonly killSwitch: KillSwitch;
  reviewSnapshot(): Promise<ReviewSnapshot>;
  readonly reviewSlaMinutes: number;
  now(): number;
  onError(err: unknown): void;
}

/** Rates cover this many seconds; the ring keeps a minute for the per-second series. */
const WINDOW_SECONDS = 10;
const KEEP_SECONDS = 60;

/** The console's live summary over a sampler of this replica's counters (started here; the closer stops it). */
export function composeConsole(w: ConsoleWiring): { summary(): Promise<ConsoleSummary>; closer: Closer } {
  const sampler = new LiveSampler({ metrics: w.metrics, keepSeconds: KEEP_SECONDS, onError: w.onError });
  sampler.start();
  const breakers = [...(w.resilience.redis ? [w.resilience.redis] : []), ...w.resilience.models.values()];
  return {
    summary: () =>
      buildSummary({
        sampler,
        windowSeconds: WINDOW_SECONDS,
        breakers: () => breakers.map((b) => ({ dependency: b.name, state: b.state })),
        models: () =>
          modelEntries(w.router, w.killSwitch).map((m) => ({
            name: m.name,
            version: m.version,
            role: m.role,
            serving: m.serving,
            ...(m.canary_percent !== undefined ? { canary_percent: m.canary_percent } : {}),
          })),
        killSwitch: () => ({
          global_engaged: w.killSwitch.globalEngaged(),
          stale: w.killSwitch.status().stale,
        }),
        review: w.reviewSnapshot,
        reviewSlaMinutes: w.reviewSlaMinutes,
        now: w.now,
      }),
    closer: { name: "console sampler", close: async () => sampler.close() },
  };
}

import type { ReviewSnapshot } from "../review/review-metrics.ts";
import { withTimeout } from "../with-timeout.ts";
import type { LiveSampler } from "./live-sampler.ts";
import { quantile } from "./live-sampler.ts";
import type { ConsoleSummary } from "./summary-schema.ts";

type ModelRow = Omit<ConsoleSummary["models"][number], "decided_share">;

export interface SummaryDeps {
  readonly sampler: LiveSampler;
  readonly windowSeconds: number;
  breakers(): ConsoleSummary["breakers"];
  models(): ModelRow[];
  killSwitch(): ConsoleSummary["kill_switch"];
  review(): Promise<ReviewSnapshot>;
  readonly reviewSlaMinutes: number;
  /** Wall clock (ms): ages and the SLA. */
  now(): number;
}

const RULES_SHOWN = 50;
const REVIEW_READ_TIMEOUT_MS = 250;

/** One read of everything the live view shows; a review queue that cannot be read leaves `review` null. */
export async function buildSummary(d: SummaryDeps): Promise<ConsoleSummary> {
  const [{ delta: win, current }, review] = await Promise.all([
    d.sampler.window(d.windowSeconds),
    withTimeout(d.review(), REVIEW_READ_TIMEOUT_MS, "console review read").catch(() => null),
  ]);
  const secs = win.seconds;
  const rate = (n: number) => (secs > 0 ? n / secs : 0);
  const sum = (pick: (decision: string, mode: string, role: string) => boolean) => {
    let n = 0;
    for (const [key, v] of win.decisions) {
      const [decision = "", mode = "", role = ""] = key.split("|");
      if (pick(decision, mode, role)) n += v;
    }
    return n;
  };
  const total = sum(() => true);
  const byRole = (role: string) => sum((_d, _m, r) => r === role);
  const modelDecided = byRole("champion") + byRole("canary");
  const now = d.now();
  const oldest = review?.queue.oldestCreatedAt ?? null;

  const rules = [...current.rules]
    .map(([key, n]) => {
      const [id = "", action = "", shadow = ""] = key.split("|");
      return { id, action, shadow: shadow === "true", per_second: rate(win.rules.get(key) ?? 0), total: n };
    })
    .filter((r) => r.total > 0)
    .sort((a, b) => b.total - a.total || a.id.localeCompare(b.id))
    .slice(0, RULES_SHOWN);

  const ms = (s: number | null) => (s === null ? null : s * 1000);
  return {
    generated_at: new Date(now).toISOString(),
    window_seconds: Math.round(secs * 10) / 10,
    decisions: {
      per_second: rate(total),
      by_outcome: {
        allow: rate(sum((dec) => dec === "allow")),
        review: rate(sum((dec) => dec === "review")),
        block: rate(sum((dec) => dec === "block")),
      },
      by_mode: {
        normal: rate(sum((_d, m) => m === "normal")),
        rules_only: rate(sum((_d, m) => m === "rules_only")),
        degraded: rate(sum((_d, m) => m === "degraded")),
      },
      degraded_share: total > 0 ? sum((_d, m) => m === "degraded") / total : null,
      per_second_series: d.sampler.perSecond(),
    },
    latency_ms: { p50: ms(quantile(win.latency, 0.5)), p99: ms(quantile(win.latency, 0.99)) },
    breakers: d.breakers(),
    kill_switch: d.killSwitch(),
    models: d.models().map((m) => ({
      ...m,
      decided_share: m.role !== "shadow" && modelDecided > 0 ? byRole(m.role) / modelDecided : null,
    })),
    review: review && {
      open: review.queue.open,
      claimed: review.queue.claimed,
      expired: review.queue.expired,
      oldest_open_age_seconds: oldest === null ? null : Math.max(0, (now - oldest) / 1000),
      sla_minutes: d.reviewSlaMinutes,
      sla_remaining_seconds: oldest === null ? null : (oldest + d.reviewSlaMinutes * 60_000 - now) / 1000,
      budget_used: review.budgetUsed,
      budget_capacity: review.budgetCapacity,
    },
    rules,
  };
}

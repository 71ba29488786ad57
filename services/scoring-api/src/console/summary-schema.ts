import { type Static, Type } from "@sinclair/typebox";

const Rate = (description: string) => Type.Number({ minimum: 0, description });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T, description: string) =>
  Type.Union([t, Type.Null()], { description });

/** GET /v1/console/summary: what the console's live view shows, for this replica. */
export const ConsoleSummarySchema = Type.Object(
  {
    generated_at: Type.String({ format: "date-time" }),
    window_seconds: Type.Number({ description: "Seconds the rates and latencies below cover" }),
    decisions: Type.Object({
      per_second: Rate("All decisions per second"),
      by_outcome: Type.Object({ allow: Rate("allow/s"), review: Rate("review/s"), block: Rate("block/s") }),
      by_mode: Type.Object({
        normal: Rate("normal/s"),
        rules_only: Rate("rules_only/s"),
        degraded: Rate("degraded/s"),
      }),
      degraded_share: Nullable(Type.Number({ minimum: 0, maximum: 1 }), "Share in degraded mode; null: none"),
      per_second_series: Type.Array(Type.Number({ minimum: 0 }), {
        description: "Decisions per second in each of the last seconds, oldest first",
      }),
    }),
    latency_ms: Type.Object({
      p50: Nullable(Type.Number(), "Median time to score (histogram estimate); null: no checkout"),
      p99: Nullable(Type.Number(), "99th percentile; null: no checkout"),
    }),
    breakers: Type.Array(
      Type.Object({
        dependency: Type.String(),
        state: Type.Union([Type.Literal("closed"), Type.Literal("half_open"), Type.Literal("open")]),
      }),
    ),
    kill_switch: Type.Object({
      global_engaged: Type.Boolean(),
      stale: Type.Boolean({ description: "This replica could not read the switch store recently" }),
    }),
    models: Type.Array(
      Type.Object({
        name: Type.String(),
        version: Type.String(),
        role: Type.Union([Type.Literal("champion"), Type.Literal("canary"), Type.Literal("shadow")]),
        serving: Type.Boolean(),
        canary_percent: Type.Optional(Type.Number({ description: "Configured share of users (canary)" })),
        decided_share: Nullable(
          Type.Number({ minimum: 0, maximum: 1 }),
          "Share of the window's model decisions this version made; null for shadows or no traffic",
        ),
      }),
    ),
    review: Nullable(
      Type.Object({
        open: Type.Integer(),
        claimed: Type.Integer(),
        expired: Type.Integer({ description: "Cases that passed their SLA unresolved (retained)" }),
        oldest_open_age_seconds: Nullable(Type.Number(), "Age of the oldest unresolved case"),
        sla_minutes: Type.Number(),
        sla_remaining_seconds: Nullable(Type.Number(), "Until the oldest unresolved case passes its SLA"),
        budget_used: Type.Number(),
        budget_capacity: Type.Number(),
      }),
      "null when the review queue could not be read (Redis away)",
    ),
    rules: Type.Array(
      Type.Object({
        id: Type.String(),
        action: Type.String(),
        shadow: Type.Boolean(),
        per_second: Rate("Hits per second over the window"),
        total: Type.Number({ description: "Hits since this replica started" }),
      }),
      { description: "Rules that matched since start, most hits first (at most 50)" },
    ),
  },
  { $id: "ConsoleSummary" },
);
export type ConsoleSummary = Static<typeof ConsoleSummarySchema>;

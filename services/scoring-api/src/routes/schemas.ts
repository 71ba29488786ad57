import { Type } from "@sinclair/typebox";

const Action = Type.Union([Type.Literal("allow"), Type.Literal("review"), Type.Literal("block")]);

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: "Stable machine-readable code" }),
      message: Type.String(),
      field: Type.Optional(
        Type.String({ description: "JSON pointer of the offending field, or the header" }),
      ),
    }),
  },
  { $id: "ErrorBody" },
);

export const ScoreResponseSchema = Type.Object(
  {
    event_id: Type.String(),
    decision: Action,
    score: Type.Union([Type.Number(), Type.Null()], {
      description: "Calibrated fraud probability; null without a model",
    }),
    reasons: Type.Array(Type.Object({ code: Type.String(), detail: Type.String() })),
    rules: Type.Array(Type.Object({ id: Type.String(), action: Action, shadow: Type.Boolean() })),
    model: Type.Union([Type.Object({ name: Type.String(), version: Type.String() }), Type.Null()]),
    feature_set: Type.String(),
    rules_version: Type.String(),
    mode: Type.Union([Type.Literal("normal"), Type.Literal("rules_only"), Type.Literal("degraded")]),
    timings_ms: Type.Object({
      features: Type.Number(),
      rules: Type.Number(),
      model: Type.Number(),
      policy: Type.Number(),
      total: Type.Number(),
    }),
    review_case_id: Type.Optional(Type.String()),
  },
  { $id: "ScoreResponse" },
);

import { type ClientErrorCode, ERROR_CODES } from "@riskgate/common/errors";
import { type TObject, Type } from "@sinclair/typebox";

const Action = Type.Union([Type.Literal("allow"), Type.Literal("review"), Type.Literal("block")]);

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: "Stable machine-readable code from the error catalogue" }),
      message: Type.String(),
      field: Type.Optional(
        Type.String({
          description: "JSON pointer of the offending body field, or the name of the parameter or header",
        }),
      ),
    }),
  },
  { $id: "ErrorBody" },
);

/** Every route that checks a key answers these. */
export const AUTH_ERRORS = ["unauthenticated", "forbidden"] as const satisfies ClientErrorCode[];
/** Every POST or PUT has its body parsed, whether or not the route reads it. */
export const BODY_PARSE_ERRORS = [
  "bad_request",
  "body_too_large",
  "unsupported_media_type",
] as const satisfies ClientErrorCode[];
/** A body checked against a contract by the event decoders. */
export const BODY_ERRORS = [
  ...BODY_PARSE_ERRORS,
  "schema_violation",
  "invalid_timestamp",
  "card_number_present",
] as const satisfies ClientErrorCode[];
/** An event or checkout body: the contract, then admission (a future `occurred_at` is refused). */
export const EVENT_BODY_ERRORS = [...BODY_ERRORS, "event_in_future"] as const satisfies ClientErrorCode[];

/**
 * The codes answered with a `Retry-After` header: the shed checkout (score.ts) and the feature store
 * call past its budget (feature-store-call.ts). The other 503s (kill-switch store, labels topic)
 * leave the retry to the caller, so their responses declare no header.
 */
const SENT_WITH_RETRY_AFTER: ReadonlySet<ClientErrorCode> = new Set(["overloaded", "features_unavailable"]);

const RetryAfterHeader = {
  "Retry-After": Type.Integer({
    minimum: 1,
    description: "Seconds to wait before retrying (ADMISSION_RETRY_AFTER_SECONDS)",
  }),
};

/**
 * The error responses of a route, from the catalogue codes it can answer: one ErrorBody per
 * status, described by the codes behind it, so the document lists every status a route answers,
 * with the Retry-After header where one of those codes is sent with it.
 */
export function errorResponses(...codes: readonly ClientErrorCode[]): Record<number, TObject> {
  const byStatus = new Map<number, ClientErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<number, TObject> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const description = list.map((c) => `\`${c}\`: ${ERROR_CODES[c].meaning}`).join("; ");
    const retryAfter = list.some((c) => SENT_WITH_RETRY_AFTER.has(c));
    responses[status] = { ...ErrorBody, description, ...(retryAfter ? { headers: RetryAfterHeader } : {}) };
  }
  return responses;
}

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

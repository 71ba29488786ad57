/**
 * The closed catalogue of error codes: every HTTP error body, dead-letter reason and logged error
 * code is one of these. `status` is the HTTP status a client receives; 500 marks codes that never
 * reach a client (start-up, operator logs, internal control flow) and are answered as `internal`.
 * Adding a code is an API change: document it in services/common/README.md.
 */
export const ERROR_CODES = {
  // Bad input: the body, a query or path parameter, or a Kafka message breaks its contract.
  schema_violation: { status: 400, meaning: "a field breaks the contract; `field` names it" },
  invalid_timestamp: { status: 400, meaning: "a timestamp names a date or time of day that does not exist" },
  card_number_present: { status: 400, meaning: "a string field holds a full card number; send a token" },
  event_in_future: {
    status: 400,
    meaning: "`occurred_at` is further ahead of the service's clock than MAX_CLOCK_SKEW_MS allows",
  },
  bad_request: { status: 400, meaning: "the body is not parseable JSON (empty, truncated, __proto__ keys)" },
  invalid_json: { status: 400, meaning: "a Kafka message is not valid JSON (dead-letter reason)" },
  not_an_object: { status: 400, meaning: "an event is not a JSON object" },
  unknown_event_type: {
    status: 400,
    meaning: "an event's `type` is unknown, or does not belong on its topic",
  },
  unauthenticated: { status: 401, meaning: "no valid `Authorization: Bearer <api key>`" },
  forbidden: { status: 403, meaning: "the API key lacks the route's scope" },
  not_lease_holder: { status: 403, meaning: "another reviewer holds the lease on this review case" },
  not_found: { status: 404, meaning: "no such route, or no loaded model with that version" },
  case_not_found: { status: 404, meaning: "no review case with that id" },
  idempotency_conflict: { status: 409, meaning: "this event_id was already scored with a different body" },
  case_claimed: { status: 409, meaning: "another reviewer holds a live lease on the case" },
  case_closed: { status: 409, meaning: "the case is resolved, or expired at its SLA deadline" },
  case_not_claimed: { status: 409, meaning: "resolving a case without claiming it first" },
  lease_expired: { status: 409, meaning: "the caller's lease on the case ran out; claim it again" },
  body_too_large: { status: 413, meaning: "the body is over the configured limit" },
  unsupported_media_type: { status: 415, meaning: "the body is not `application/json`" },
  labels_unavailable: {
    status: 503,
    meaning: "Kafka did not take the review label; the case stays claimed, retry",
  },
  overloaded: {
    status: 503,
    meaning: "the scoring service is over capacity; retry after Retry-After seconds",
  },
  kill_switch_unavailable: { status: 503, meaning: "the kill-switch store (Redis) is unreachable; retry" },
  features_unavailable: {
    status: 503,
    meaning:
      "the feature store (Redis) did not answer a read or event apply within FEATURE_TIMEOUT_MS; see Retry-After",
  },
  internal: { status: 500, meaning: "an unexpected failure; the log line carries the cause" },
  // Never sent to a client: control flow inside the service, start-up and operator logs.
  timeout: { status: 500, meaning: "a dependency call took longer than its budget" },
  breaker_open: { status: 500, meaning: "a circuit breaker is open; the dependency was not called" },
  shutting_down: { status: 500, meaning: "the service is stopping: a start still in flight gives up" },
  invalid_config: { status: 500, meaning: "the environment breaks the configuration schema (start-up)" },
  rules_io: { status: 500, meaning: "the rules file cannot be read or watched" },
  rules_yaml: { status: 500, meaning: "the rules file is not valid YAML" },
  rules_schema: { status: 500, meaning: "the rules file breaks the rules schema" },
  rules_duplicate_id: { status: 500, meaning: "two rules share an id" },
  rules_cel_syntax: { status: 500, meaning: "a rule's CEL expression does not parse" },
  rules_cel_type: { status: 500, meaning: "a rule's CEL expression does not type-check" },
  rules_template: { status: 500, meaning: "a rule's reason template names an unknown variable" },
  manifest_invalid: { status: 500, meaning: "a model manifest breaks its schema" },
  feature_set_mismatch: { status: 500, meaning: "a model was trained on another feature set (skew guard)" },
  feature_order_mismatch: { status: 500, meaning: "a model's features are in another order than served" },
  lightgbm_model_invalid: { status: 500, meaning: "a LightGBM text model cannot be parsed" },
  lightgbm_model_unsupported: {
    status: 500,
    meaning: "a LightGBM model uses what the explainer cannot explain",
  },
  lightgbm_feature_mismatch: {
    status: 500,
    meaning: "a LightGBM model's features differ from the manifest's",
  },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
/** Codes a client can receive as an error body (statuses 4xx and 503). */
export type ClientErrorCode = {
  [C in ErrorCode]: (typeof ERROR_CODES)[C]["status"] extends 500 ? never : C;
}[ErrorCode];

export function statusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

/** Every error a client or an operator can see carries a stable code from the catalogue. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.code = code;
    this.statusCode = statusOf(code);
    this.field = field;
    this.name = "AppError";
  }
}

/**
 * What `make` builds, with no stack trace captured: for errors made per request in bulk whose stack
 * says nothing (a timer's): capturing it cost more than the rest of the error under overload, when
 * timeouts come by the hundred a second.
 */
export function withoutStack<T>(make: () => T): T {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

export class ConfigError extends AppError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super("invalid_config", `invalid configuration:\n  ${problems.join("\n  ")}`);
    this.problems = problems;
    this.name = "ConfigError";
  }
}

import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import type { ApiKey } from "../auth/api-keys.ts";
import { requireScope } from "../auth/require-scope.ts";
import { CASE_STATUSES, type CaseStatus } from "../review/review-queue.ts";
import type { ReviewService } from "../review/review-service.ts";
import { AUTH_ERRORS, BODY_ERRORS, BODY_PARSE_ERRORS, errorResponses } from "./schemas.ts";
import type { TypedApp } from "./typed-app.ts";

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Instant = Type.String({ format: "date-time" });

const CaseStatusSchema = Type.Union(CASE_STATUSES.map((s) => Type.Literal(s)));
const LabelSchema = Type.Union([Type.Literal("fraud"), Type.Literal("legit")]);

export const ReviewCaseSchema = Type.Object(
  {
    id: Type.String(),
    event_id: Type.String({ description: "The checkout under review" }),
    user_id: Type.String(),
    payment_instrument_id: Type.String(),
    score: Type.Union([Type.Number(), Type.Null()], {
      description: "Calibrated fraud probability at scoring",
    }),
    amount_eur: Type.Number(),
    priority: Type.Number({
      description: "Expected loss: probability × amount in EUR; worked highest first",
    }),
    reasons: Type.Array(Type.Object({ code: Type.String(), detail: Type.String() })),
    features: Type.Union([Type.Record(Type.String(), Type.Number()), Type.Null()], {
      description: "The features the checkout was scored with, by name",
    }),
    rules: Type.Array(
      Type.Object({
        id: Type.String(),
        action: Type.Union([Type.Literal("allow"), Type.Literal("review"), Type.Literal("block")]),
        shadow: Type.Boolean(),
      }),
      { description: "Rules that matched at scoring (shadow ones marked)" },
    ),
    created_at: Instant,
    sla_deadline: Instant,
    status: CaseStatusSchema,
    claimed_by: Nullable(
      Type.String({
        description:
          "Name of the lease holder (or of the resolver): the key's configured name, else its key id",
      }),
    ),
    lease_expires_at: Nullable(Instant),
    resolution: Type.Union([LabelSchema, Type.Null()]),
    note: Nullable(Type.String()),
    resolved_by: Nullable(Type.String()),
    resolved_at: Nullable(Instant),
    sla_action: Type.Union([Type.Literal("allow"), Type.Literal("block"), Type.Null()], {
      description: "The default applied when the SLA passed unresolved",
    }),
    expired_at: Nullable(Instant),
  },
  { $id: "ReviewCase" },
);

const DEFAULT_STATUS: CaseStatus = "open";
const DEFAULT_LIMIT = 50;

const ListQuerySchema = Type.Object(
  {
    status: Type.Optional(Type.Union(CaseStatusSchema.anyOf, { default: DEFAULT_STATUS })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: DEFAULT_LIMIT })),
    cursor: Type.Optional(Type.String({ maxLength: 400, description: "next_cursor of the previous page" })),
  },
  { additionalProperties: false },
);

const CaseListSchema = Type.Object({
  cases: Type.Array(ReviewCaseSchema),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
});

export const ResolveBody = Type.Object(
  {
    label: LabelSchema,
    note: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) });

const reviewer = (req: FastifyRequest) => (req.apiKey as ApiKey).name;

export function reviewRoutes(app: TypedApp, deps: { review: ReviewService; keys: readonly ApiKey[] }) {
  const onRequest = requireScope(deps.keys, "review");
  const security = [{ bearer: [] }];
  const tags = ["review"];

  app.get(
    "/v1/review/cases",
    {
      onRequest,
      schema: {
        summary: "List review cases",
        description:
          "Cases of one status (default open: unresolved and not under a live lease), unresolved ones by priority " +
          "(expected loss) descending then age, closed ones newest first. Page with limit and next_cursor.",
        tags,
        security,
        querystring: ListQuerySchema,
        response: { 200: CaseListSchema, ...errorResponses(...AUTH_ERRORS, "schema_violation") },
      },
    },
    async (req) => {
      const { status = DEFAULT_STATUS, limit = DEFAULT_LIMIT, cursor } = req.query;
      return deps.review.list({ status, limit, ...(cursor ? { cursor } : {}) });
    },
  );

  app.get(
    "/v1/review/cases/:id",
    {
      onRequest,
      schema: {
        summary: "One review case",
        tags,
        security,
        params: IdParams,
        response: {
          200: ReviewCaseSchema,
          ...errorResponses(...AUTH_ERRORS, "schema_violation", "case_not_found"),
        },
      },
    },
    async (req) => deps.review.get(req.params.id),
  );

  app.post(
    "/v1/review/cases/:id/claim",
    {
      onRequest,
      schema: {
        summary: "Claim a review case",
        description:
          "Takes a lease (REVIEW_LEASE_SECONDS) on an open case, or one whose lease lapsed; the holder claiming again " +
          "renews it. 409 case_claimed while another reviewer holds a live lease, 409 case_closed once resolved or expired.",
        tags,
        security,
        params: IdParams,
        response: {
          200: ReviewCaseSchema,
          ...errorResponses(
            ...AUTH_ERRORS,
            ...BODY_PARSE_ERRORS,
            "schema_violation",
            "case_not_found",
            "case_claimed",
            "case_closed",
          ),
        },
      },
    },
    async (req) => deps.review.claim(req.params.id, reviewer(req)),
  );

  app.post(
    "/v1/review/cases/:id/resolve",
    {
      onRequest,
      schema: {
        summary: "Resolve a claimed review case",
        description:
          "By the lease holder only. Publishes a review_outcome label (labels topic, acks=all) before answering; the " +
          "same label by the same reviewer again answers 200. 503 labels_unavailable leaves the case claimed: retry.",
        tags,
        security,
        params: IdParams,
        body: ResolveBody,
        response: {
          200: ReviewCaseSchema,
          ...errorResponses(
            ...AUTH_ERRORS,
            ...BODY_ERRORS,
            "not_lease_holder",
            "case_not_found",
            "case_closed",
            "case_not_claimed",
            "lease_expired",
            "labels_unavailable",
          ),
        },
      },
    },
    async (req) => deps.review.resolve(req.params.id, reviewer(req), req.body.label, req.body.note),
  );
}

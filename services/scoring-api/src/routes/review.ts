import { AppError } from "@riskgate/common/errors";
import { validateAgainst } from "@riskgate/feature-store/events";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ApiKey } from "../auth/api-keys.ts";
import { requireScope } from "../auth/require-scope.ts";
import { CASE_STATUSES, type CaseStatus } from "../review/review-queue.ts";
import type { ReviewService } from "../review/review-service.ts";
import { ErrorBody } from "./schemas.ts";

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
    created_at: Instant,
    sla_deadline: Instant,
    status: CaseStatusSchema,
    claimed_by: Nullable(Type.String({ description: "API key id of the lease holder (or of the resolver)" })),
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

const ListQuerySchema = Type.Object({
  status: Type.Optional(CaseStatusSchema),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ description: "next_cursor of the previous page" })),
});

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

const IdParams = Type.Object({ id: Type.String() });

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

function parseList(query: unknown): { status: CaseStatus; limit: number; cursor?: string } {
  const q = (query ?? {}) as Record<string, unknown>;
  const extra = Object.keys(q).find((k) => !["status", "limit", "cursor"].includes(k));
  if (extra) throw new AppError("schema_violation", `unknown query parameter ${extra}`, 400, extra);
  const status = q.status ?? "open";
  if (typeof status !== "string" || !(CASE_STATUSES as readonly string[]).includes(status)) {
    throw new AppError(
      "schema_violation",
      `status: expected one of ${CASE_STATUSES.join(", ")}`,
      400,
      "status",
    );
  }
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
    throw new AppError("schema_violation", "limit: expected an integer from 1 to 200", 400, "limit");
  }
  if (q.cursor !== undefined && (typeof q.cursor !== "string" || q.cursor.length > 400)) {
    throw new AppError(
      "schema_violation",
      "cursor: expected the next_cursor of a previous page",
      400,
      "cursor",
    );
  }
  return { status: status as CaseStatus, limit, ...(q.cursor ? { cursor: q.cursor as string } : {}) };
}

const reviewer = (req: FastifyRequest) => (req.apiKey as ApiKey).id;
const caseId = (req: FastifyRequest) => (req.params as { id: string }).id;

/** 503 is not a client error, so it is answered here rather than by the shared error handler. */
async function unavailableAs503<T>(reply: FastifyReply, work: () => Promise<T>) {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AppError && err.statusCode === 503) {
      return reply.code(503).send({ error: { code: err.code, message: err.message } });
    }
    throw err;
  }
}

export function reviewRoutes(app: FastifyInstance, deps: { review: ReviewService; keys: readonly ApiKey[] }) {
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
        response: { 200: CaseListSchema, ...errors },
      },
    },
    async (req) => deps.review.list(parseList(req.query)),
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
        response: { 200: ReviewCaseSchema, ...errors },
      },
    },
    async (req) => deps.review.get(caseId(req)),
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
        response: { 200: ReviewCaseSchema, ...errors },
      },
    },
    async (req) => deps.review.claim(caseId(req), reviewer(req)),
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
        response: { 200: ReviewCaseSchema, ...errors, 503: ErrorBody },
      },
    },
    async (req, reply) => {
      const body = validateAgainst<Static<typeof ResolveBody>>(ResolveBody, req.body ?? null);
      return unavailableAs503(reply, () =>
        deps.review.resolve(caseId(req), reviewer(req), body.label, body.note),
      );
    },
  );
}

import { AppError, type ErrorCode, statusOf } from "@riskgate/common/errors";
import { EventDecodeError } from "@riskgate/feature-store/events";
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";

export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

function send(reply: FastifyReply, code: ErrorCode, message: string, field?: string) {
  const body: ErrorBody = { error: { code, message } };
  if (field) body.error.field = field;
  return reply.code(statusOf(code)).send(body);
}

/** What Fastify's own client errors (body parsing, limits) are in the catalogue, and the field at fault. */
function fastifyClientError(fe: FastifyError): { code: ErrorCode; field: string } {
  switch (fe.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { code: "body_too_large", field: "/" };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { code: "unsupported_media_type", field: "content-type" };
    // A method with a body (QUERY) sent without a Content-Type, or with an empty one.
    case "FST_ERR_ROUTE_MISSING_CONTENT_TYPE":
    case "FST_ERR_CTP_EMPTY_TYPE":
      return { code: "bad_request", field: "content-type" };
    default:
      return { code: "bad_request", field: "/" };
  }
}

/**
 * Errors Fastify's router raises before any route or error handler runs (its `frameworkErrors`
 * option): a path parameter longer than the router's limit, a URL that does not decode. Without
 * this they are answered in Fastify's own shape (and the first as a 414 no route documents).
 */
export function frameworkError(err: FastifyError, _req: unknown, reply: FastifyReply) {
  if (err.code === "FST_ERR_MAX_PARAM_LENGTH")
    return send(reply, "schema_violation", "url: a path parameter is too long", "url");
  if (err.code === "FST_ERR_BAD_URL") return send(reply, "schema_violation", "url: not a valid URL", "url");
  return send(reply, "bad_request", "bad request", "/");
}

/** One error shape for every 4xx/5xx, with a catalogue code and, for bad input, the field at fault. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    if (err instanceof EventDecodeError) return send(reply, err.code, err.message, err.field);
    if (err instanceof AppError && err.statusCode !== statusOf("internal")) {
      if (err.code === "unauthenticated") reply.header("www-authenticate", "Bearer");
      return send(reply, err.code, err.message, err.field);
    }
    const fe = err as FastifyError;
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      const { code, field } = fastifyClientError(fe);
      return send(reply, code, fe.message, field);
    }
    req.log.error({ err, code: "internal" satisfies ErrorCode }, "unhandled error");
    return send(reply, "internal", "internal error");
  });
  app.setNotFoundHandler((req, reply) => send(reply, "not_found", `no route ${req.method} ${req.url}`));
}

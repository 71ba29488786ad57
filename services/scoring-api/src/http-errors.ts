import { AppError } from "@riskgate/common/errors";
import { EventDecodeError } from "@riskgate/feature-store/events";
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

function send(reply: FastifyReply, status: number, body: ErrorBody) {
  return reply.code(status).send(body);
}

/** One error shape for every 4xx/5xx, with a stable code and, for bad input, the field at fault. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    if (err instanceof EventDecodeError) {
      return send(reply, 400, { error: { code: err.code, message: err.message, field: err.field } });
    }
    if (err instanceof AppError && err.statusCode < 500) {
      if (err.statusCode === 401) reply.header("www-authenticate", "Bearer");
      const body: ErrorBody = { error: { code: err.code, message: err.message } };
      if (err.field) body.error.field = err.field;
      return send(reply, err.statusCode, body);
    }
    const fe = err as FastifyError;
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      const code =
        fe.code === "FST_ERR_CTP_BODY_TOO_LARGE"
          ? "body_too_large"
          : fe.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE"
            ? "unsupported_media_type"
            : "bad_request";
      const field = fe.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" ? "content-type" : "/";
      return send(reply, fe.statusCode, { error: { code, message: fe.message, field } });
    }
    req.log.error({ err }, "unhandled error");
    return send(reply, 500, { error: { code: "internal", message: "internal error" } });
  });
  app.setNotFoundHandler((req, reply) =>
    send(reply, 404, { error: { code: "not_found", message: `no route ${req.method} ${req.url}` } }),
  );
}

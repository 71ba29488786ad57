import { isSpanContextValid, trace } from "@opentelemetry/api";
import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger };

/**
 * Structured JSON logs. Anything that could carry a secret or personal data is redacted by path,
 * and event payloads are never logged whole (card numbers are refused upstream, emails never sent).
 */
export function createLogger(
  options: { level: string; service: string },
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      // A line written inside a traced request carries its trace: search the logs by trace id.
      mixin: traceFields,
      redact: {
        paths: [
          "req.headers.authorization",
          "headers.authorization",
          "authorization",
          "apiKey",
          "password",
          "*.password",
          "email",
          "*.email",
          "redisUrl",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}

/**
 * trace_id / span_id of the active span (OpenTelemetry context), or nothing when none is active.
 * Always a fresh object: pino merges the line's own fields into what the mixin returns.
 */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const ctx = trace.getActiveSpan()?.spanContext();
  if (!ctx || !isSpanContextValid(ctx)) return {};
  return { trace_id: ctx.traceId, span_id: ctx.spanId };
}

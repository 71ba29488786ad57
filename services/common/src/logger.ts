import { isSpanContextValid, trace } from "@opentelemetry/api";
import { type DestinationStream, type Logger, pino } from "pino";
import { scrubLogValue, scrubSerializedError } from "./log-scrub.ts";

export type { Logger };

/** Field names whose value is a secret or personal data, wherever a log line carries them. */
const SECRET_FIELDS = [
  "authorization",
  "cookie",
  "apiKey",
  "api_key",
  "token",
  "password",
  "secret",
  "email",
  "card_number",
  "cardNumber",
  "pan",
  "redisUrl",
  // Identifiers and addresses: pseudonymised where events enter, redacted here should one slip in.
  "ip",
  "user_id",
  "userId",
  "device_id",
  "deviceId",
  "payment_instrument_id",
  "paymentInstrumentId",
  "instrument_id",
  "instrumentId",
  "listing_id",
  "listingId",
  "host_id",
  "hostId",
  "idHashKey",
  "ID_HASH_KEY",
];

/** Ids inside the objects of an event (`user.id`, `device.id`, `listing.id`) are named by their object. */
const ID_PATHS = ["user.id", "device.id", "listing.id"];

/** pino `redact` paths: each secret field at the top level and one or two objects down. */
export const REDACTED_PATHS: readonly string[] = [
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
  ...ID_PATHS.flatMap((p) => [p, `*.${p}`]),
];

/**
 * Structured JSON logs. Secrets and personal data are redacted by field name (REDACTED_PATHS), and
 * free text (an operator's reason, an error's message and stack) has anything shaped like an email
 * or a card number masked: a dependency's error may quote what it was given. Event payloads are
 * never logged whole (card numbers are refused upstream, emails never sent).
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
      formatters: { log: (fields) => scrubLogValue(fields) as Record<string, unknown> },
      // Errors keep their type, stack and cause chain (a message alone does not say where).
      serializers: { err: (err) => scrubSerializedError(pino.stdSerializers.errWithCause(err)) },
      redact: { paths: [...REDACTED_PATHS], censor: "[redacted]" },
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

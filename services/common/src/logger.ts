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

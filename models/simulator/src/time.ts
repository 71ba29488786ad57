export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** RFC 3339 in UTC with milliseconds, as every event carries it. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Parses a start date ("2026-01-05" or a full RFC 3339 instant); throws on anything else. */
export function parseInstant(text: string): number {
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms)) throw new Error(`not a date: ${text}`);
  return ms;
}

/** Relative weight of activity per UTC hour (European evenings are busiest). */
export const HOURLY_WEIGHTS: readonly number[] = [
  0.3, 0.2, 0.15, 0.15, 0.2, 0.35, 0.6, 0.9, 1.1, 1.2, 1.25, 1.3, 1.3, 1.25, 1.2, 1.2, 1.25, 1.35, 1.5, 1.6,
  1.55, 1.3, 0.9, 0.55,
];

/** Relative checkout volume per UTC weekday, Sunday first. */
export const WEEKDAY_WEIGHTS: readonly number[] = [1.15, 1.1, 1.0, 0.97, 0.95, 0.9, 0.93];

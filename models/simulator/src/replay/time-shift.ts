/**
 * Where a replayed world lands in time. The services refuse events from the future (clock skew
 * guard) and the feature store computes windows at each event's own time, so the world is moved
 * forward by a whole number of days until its last event (labels included) is just before now:
 * nothing is ever in the future, the order and spacing of events are kept, and so are weekday,
 * time of day and the UTC day boundaries the review budget counts in.
 */
export const DAY_MS = 86_400_000;

/** Whole days to add so that `lastEventMs` lands at or before `nowMs`. */
export function shiftDaysFor(lastEventMs: number, nowMs: number): number {
  return Math.max(0, Math.floor((nowMs - lastEventMs) / DAY_MS));
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/**
 * A copy of `value` with every RFC 3339 UTC instant moved by `shiftMs` (occurred_at, created_at,
 * checkin_at, label reference times: every time field keeps its distance to the others).
 */
export function shiftTimes<T>(value: T, shiftMs: number): T {
  if (shiftMs === 0) return value;
  if (typeof value === "string") {
    return (ISO_INSTANT.test(value) ? new Date(Date.parse(value) + shiftMs).toISOString() : value) as T;
  }
  if (Array.isArray(value)) return value.map((v) => shiftTimes(v, shiftMs)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = shiftTimes(v, shiftMs);
    return out as T;
  }
  return value;
}

// Masks emails and card-number-shaped digit runs in what a log line carries. Field names cannot
// catch them in free text (an operator's reason, a dependency's error message), so the values are
// scanned too; log lines are rare (no per-request lines), so the scan costs nothing that matters.

const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[A-Za-z]{2,}/g;
/**
 * 13-19 digits, optionally grouped by spaces or dashes: every PAN shape, Luhn-valid or not. Not
 * inside a longer token of letters and digits: 1.75 % of trace ids (32 hex digits) hold such a run,
 * and their log lines lost the id that ties them to their trace.
 */
const CARD_NUMBER = /(?<![0-9A-Za-z])(?:\d[ -]?){12,18}\d(?![0-9A-Za-z])/;
/**
 * A canonical UUID (8-4-4-4-12) or a card-number run. A UUID's last two groups can be all digits
 * (`-dddd-dddddddddddd`, about 1 UUID in 1,850), which stand alone as 16 digits; matched from its
 * start, the UUID is consumed whole before its tail could match as a card number, and kept.
 */
const UUID_OR_CARD_NUMBER = new RegExp(
  `(?<![0-9A-Za-z])([0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12})(?![0-9A-Za-z])|${CARD_NUMBER.source}`,
  "g",
);
/** Nesting scanned; a log line's fields are shallow, and a bound keeps a cyclic value from looping. */
const MAX_DEPTH = 6;

export function scrubText(text: string): string {
  return text
    .replace(EMAIL, "[email]")
    .replace(UUID_OR_CARD_NUMBER, (m, uuid: string | undefined) => (uuid ? m : "[card number]"));
}

/**
 * A copy of `value` with every string in it scrubbed: strings, arrays and plain objects are walked;
 * anything else (an Error before its serializer runs, a Date, a Buffer) is passed through untouched.
 */
export function scrubLogValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubText(value);
  if (value === null || typeof value !== "object" || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => scrubLogValue(v, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubLogValue(v, depth + 1);
  return out;
}

/**
 * A scrubbed plain copy of what pino's error serializer returned (its objects have their own
 * prototype, so `scrubLogValue` would pass them through): message, stack, own fields, and the
 * same for each `cause` down the chain.
 */
export function scrubSerializedError(serialized: unknown, depth = 0): unknown {
  if (serialized === null || typeof serialized !== "object" || depth >= MAX_DEPTH)
    return scrubLogValue(serialized);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(serialized))
    out[k] = k === "cause" ? scrubSerializedError(v, depth + 1) : scrubLogValue(v, depth + 1);
  return out;
}

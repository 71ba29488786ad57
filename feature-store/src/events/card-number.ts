/**
 * Finds strings that look like a full card number (PAN): 13–19 digits, optionally grouped by
 * spaces or dashes, not part of a longer token of letters and digits, passing the Luhn check.
 * Events must never carry one (PCI scope), so decoders reject them wherever they appear,
 * including free text such as guest messages.
 */
// A run inside a longer letters-and-digits token is part of an identifier, not a card number: a
// UUID's or a hex id's digits often form one (about 1 in 440 random UUIDs, refused as holding a PAN
// before the run had to stand on its own). `_` is no boundary, so `pi_<pan>` is still found.
const CANDIDATE = /(?<![0-9A-Za-z])(?:\d[ -]?){12,18}\d(?![0-9A-Za-z])/g;

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** A UUID in its canonical 8-4-4-4-12 form, standing alone. */
const UUID =
  /(?<![0-9A-Za-z])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Za-z])/g;

/**
 * Whether text[start, end) lies inside a UUID. Its last two groups can be all digits
 * (`-dddd-dddddddddddd`: 16 digits standing alone, Luhn-valid one time in ten), about 1 random UUID
 * in 7,000, and an identifier is no card number. Only asked about a Luhn-valid run, so rarely.
 */
function insideUuid(text: string, start: number, end: number): boolean {
  UUID.lastIndex = 0;
  for (let m = UUID.exec(text); m; m = UUID.exec(text)) {
    if (m.index <= start && end <= m.index + m[0].length) return true;
  }
  return false;
}

function isCardNumber(run: string, text: string, start: number): boolean {
  const digits = run.replace(/[ -]/g, "");
  return (
    digits.length >= 13 &&
    digits.length <= 19 &&
    luhnValid(digits) &&
    !insideUuid(text, start, start + run.length)
  );
}

export function containsCardNumber(text: string): boolean {
  // Every string of every checkout passes here: most are far too short to hold 13 digits, and
  // exec on the one regex avoids the copy matchAll makes per call (together ~15 µs per checkout).
  if (text.length < 13) return false;
  CANDIDATE.lastIndex = 0;
  for (let match = CANDIDATE.exec(text); match; match = CANDIDATE.exec(text)) {
    // insideUuid resets the UUID regex only; CANDIDATE's position is kept.
    if (isCardNumber(match[0], text, match.index)) return true;
  }
  return false;
}

export const CARD_NUMBER_REDACTED = "[redacted card number]";

/**
 * `text` with every card number (as containsCardNumber finds them) replaced by
 * CARD_NUMBER_REDACTED; undefined when it holds none. Works on any text, JSON or not, so a
 * message refused for another reason cannot carry one onward either.
 */
export function redactCardNumbers(text: string): string | undefined {
  if (!containsCardNumber(text)) return undefined;
  CANDIDATE.lastIndex = 0;
  return text.replace(CANDIDATE, (run, offset: number) =>
    isCardNumber(run, text, offset) ? CARD_NUMBER_REDACTED : run,
  );
}

/** Returns the JSON pointer of the first string field holding a card number, or undefined. */
export function findCardNumberField(value: unknown): string | undefined {
  const path: string[] = [];
  if (!holdsCardNumber(value, path)) return undefined;
  return path.length === 0 ? "/" : `/${path.reverse().join("/")}`;
}

/** The pointer is built on the way out of a hit only: building one per field cost more than the scan. */
function holdsCardNumber(value: unknown, pathOut: string[]): boolean {
  if (typeof value === "string") return containsCardNumber(value);
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (holdsCardNumber(value[i], pathOut)) return pathOut.push(String(i)) > 0;
    }
    return false;
  }
  for (const key of Object.keys(value)) {
    if (holdsCardNumber((value as Record<string, unknown>)[key], pathOut)) return pathOut.push(key) > 0;
  }
  return false;
}

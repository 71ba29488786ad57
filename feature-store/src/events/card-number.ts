/**
 * Finds strings that look like a full card number (PAN): 13–19 digits, optionally grouped by
 * spaces or dashes, passing the Luhn check. Events must never carry one (PCI scope), so decoders
 * reject them wherever they appear, including free text such as guest messages.
 */
const CANDIDATE = /(?:\d[ -]?){12,18}\d/g;

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

export function containsCardNumber(text: string): boolean {
  for (const match of text.matchAll(CANDIDATE)) {
    const digits = match[0].replace(/[ -]/g, "");
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return true;
  }
  return false;
}

/** Returns the JSON pointer of the first string field holding a card number, or undefined. */
export function findCardNumberField(value: unknown, path = ""): string | undefined {
  if (typeof value === "string") return containsCardNumber(value) ? path || "/" : undefined;
  if (value === null || typeof value !== "object") return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = findCardNumberField(child, `${path}/${key}`);
    if (found) return found;
  }
  return undefined;
}

/**
 * Signals in the guest-to-host message. Off-platform contact is the classic lead-in to payment
 * outside the marketplace (no buyer protection), so phone numbers, messenger names and requests
 * to pay elsewhere count; links are a separate signal (phishing pages posing as the marketplace).
 */
const OFF_PLATFORM = [
  /\b(whats\s?app|telegram|signal|viber|wechat|skype)\b/i,
  /\b(wire|bank)\s+transfer\b/i,
  /\b(western\s+union|moneygram|crypto|bitcoin|usdt|gift\s?cards?)\b/i,
  /\bpay(ment)?\s+(outside|directly|off[-\s]?(the\s+)?(site|platform|app))\b/i,
  /\b(e-?mail|text|call)\s+me\b/i,
  /[\w.+-]+@[\w-]+\.[\w.]+/,
  /\+?\d[\d\s().-]{7,}\d/,
];
const LINK = /\b(https?:\/\/|www\.)\S+|\b[\w-]+\.(com|net|org|io|ru|xyz|top|link|me)\/\S*/i;

export function hasOffPlatformContact(text: string | undefined): boolean {
  return text !== undefined && OFF_PLATFORM.some((re) => re.test(text));
}

export function hasLink(text: string | undefined): boolean {
  return text !== undefined && LINK.test(text);
}

const DISPOSABLE_EMAIL_DOMAINS = new Set([
  "mailinator.com",
  "guerrillamail.com",
  "10minutemail.com",
  "tempmail.com",
  "trashmail.com",
  "yopmail.com",
  "sharklasers.com",
  "getnada.com",
  "dispostable.com",
  "maildrop.cc",
]);

export function isDisposableEmailDomain(domain: string | undefined): boolean {
  return domain !== undefined && DISPOSABLE_EMAIL_DOMAINS.has(domain.toLowerCase());
}

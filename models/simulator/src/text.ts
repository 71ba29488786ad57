import { containsCardNumber } from "@riskgate/feature-store/events";
import type { Rng } from "./rng.ts";

/**
 * Guest-to-host messages. Phone numbers carry at most 12 digits and end each sentence, so no message
 * can look like a 13–19 digit card number; `safe` double-checks with the decoder's own detector.
 */

const CALLING_CODES: Readonly<Record<string, string>> = {
  DE: "49",
  FR: "33",
  GB: "44",
  ES: "34",
  IT: "39",
  NL: "31",
  US: "1",
  PT: "351",
  BE: "32",
  AT: "43",
  CH: "41",
  NG: "234",
  RO: "40",
};

/** "+44 7700 900123": calling code plus 9 national digits, at most 12 digits in all. */
export function phoneNumber(rng: Rng, country: string): string {
  const code = CALLING_CODES[country] ?? "44";
  const national = 9 - Math.max(0, code.length - 3);
  const digits = `${rng.int(6, 7)}${rng.digits(national - 1)}`;
  return `+${code} ${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`;
}

function handle(rng: Rng): string {
  return `${rng.pick(["sunny", "marco", "travel", "anna", "best", "stay", "villa", "lux"])}${rng.pick(["_", ".", ""])}${rng.pick(["deals", "host", "rent", "home", "trips"])}${rng.int(1, 99)}`;
}

const LEGIT: readonly string[] = [
  "Hi! We will arrive around 9pm, is late check-in ok?",
  "Is there parking near the apartment?",
  "We are travelling with a baby, is a cot available?",
  "Hello, looking forward to our stay. Any restaurant tips?",
  "Could we leave our bags before check-in?",
  "Is the apartment suitable for a wheelchair?",
  "Hi, we are two couples visiting for a wedding nearby.",
  "Does the place have a washing machine?",
  "Thanks for accepting! What is the wifi like for remote work?",
  "Is it possible to check out a bit later on the last day?",
];

function legitContact(rng: Rng, country: string): string {
  switch (rng.int(0, 3)) {
    case 0:
      return `Hi, could we chat on WhatsApp about the check-in time? My number is ${phoneNumber(rng, country)}.`;
    case 1:
      return `In case our flight is late you can reach me at ${phoneNumber(rng, country)}.`;
    case 2:
      return "Do you have WhatsApp? Easier for sending the arrival time.";
    default:
      return `Hello! Please text me at ${phoneNumber(rng, country)} when the keys are ready, thanks.`;
  }
}

/** A legit guest message; `contact` makes it mention WhatsApp or a phone number (the look-alike). */
export function legitMessage(rng: Rng, country: string, contact: boolean): string {
  return safe(contact ? legitContact(rng, country) : rng.pick(LEGIT), rng.pick(LEGIT));
}

/** Off-platform contact as collusive rings write it before they adapt. */
export function ringMessage(rng: Rng, country: string): string {
  const phone = phoneNumber(rng, country);
  const text = (() => {
    switch (rng.int(0, 6)) {
      case 0:
        return `Hi, whatsapp me at ${phone} and we sort the rest directly.`;
      case 1:
        return "Can I pay via wire transfer instead? Send me your IBAN and I pay today.";
      case 2:
        return `Message me on telegram t.me/${handle(rng)} for a better price.`;
      case 3:
        return `Book outside the platform next time and save 15 percent, call ${phone}.`;
      case 4:
        return `Contact me at ${handle(rng)}@gmail.com, we can do cash or bank transfer.`;
      case 5:
        return `Details here: https://bit.ly/${handle(rng)} - whatsapp ${phone}.`;
      default:
        return `Pay via wire to my agent, whatsapp ${phone}.`;
    }
  })();
  return safe(text, "Please whatsapp me, we arrange payment directly.");
}

/** The same rings after they learn which words get flagged: no keywords, no numbers. */
export function ringMessageAdapted(rng: Rng): string {
  return rng.pick([
    "Hi, same arrangement as last time please.",
    "Let's keep in touch the usual way, thanks!",
    "I sent you a note elsewhere, see you soon.",
    "My handle is the same as my name here, ping me.",
    "Ok for the details we discussed, my friend arrives first.",
    "Hello again! Everything as agreed.",
    "Check my profile for the other contact, thanks.",
  ]);
}

/** Returns `text` unless it could be read as a card number, then the fallback. */
export function safe(text: string, fallback: string): string {
  return containsCardNumber(text) ? fallback : text;
}

import { canonicalIp, type IdKind, type Pseudonymiser } from "@riskgate/feature-store/events";

/**
 * Lists named for an identifier kind hold raw identifiers (what an operator knows), and the
 * checkout rules see holds pseudonyms (identifiers are pseudonymised where events enter the
 * service). Entries of such lists are pseudonymised with the same key when the rules load, so
 * `checkout.device.ip in lists.blocked_ips` matches, and a key rotation needs no edit of the file.
 * IP entries are canonicalised first, as checkouts' addresses are.
 */
const KIND_BY_SUFFIX: readonly (readonly [string, IdKind])[] = [
  ["_users", "user"],
  ["_devices", "device"],
  ["_instruments", "payment_instrument"],
  ["_listings", "listing"],
  ["_hosts", "host"],
  ["_ips", "ip"],
];

export function identifierListKind(list: string): IdKind | undefined {
  return KIND_BY_SUFFIX.find(([suffix]) => list.endsWith(suffix))?.[1];
}

/** The rules compiler's `listEntry`: pseudonymises the entries of identifier lists, keeps the rest. */
export function pseudonymiseIdentifierLists(p: Pseudonymiser): (list: string, entry: string) => string {
  return (list, entry) => {
    const kind = identifierListKind(list);
    if (kind === undefined) return entry;
    if (kind !== "ip") return p.id(kind, entry);
    const ip = canonicalIp(entry);
    if (ip === undefined) throw new Error("not an IPv4 or IPv6 address");
    return p.id("ip", ip);
  };
}

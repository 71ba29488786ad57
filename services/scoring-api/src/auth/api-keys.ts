import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const SCOPES = ["score", "review", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  /** A short, non-secret label for logs and audit: the first characters of the key's hash. */
  readonly id: string;
  readonly digest: Buffer;
  readonly scopes: ReadonlySet<Scope>;
}

const digest = (key: string) => createHash("sha256").update(key).digest();

function apiKey(key: string, scopes: Scope[]): ApiKey {
  const d = digest(key);
  return { id: `key_${d.toString("hex").slice(0, 8)}`, digest: d, scopes: new Set(scopes) };
}

/**
 * Parses RISKGATE_API_KEYS: comma-separated `scopes:key`, scopes joined by `+`
 * (e.g. `score:k1,review+admin:k2`). Returns the problems instead of throwing so config
 * validation can report them all; never echoes a key.
 */
export function parseApiKeys(raw: string): { keys: ApiKey[]; problems: string[] } {
  const keys: ApiKey[] = [];
  const problems: string[] = [];
  raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .forEach((entry, i) => {
      const colon = entry.indexOf(":");
      const scopes = colon > 0 ? entry.slice(0, colon).split("+") : [];
      const key = colon > 0 ? entry.slice(colon + 1).trim() : "";
      const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
      if (colon <= 0 || bad.length > 0 || scopes.length === 0) {
        problems.push(
          `RISKGATE_API_KEYS entry ${i + 1}: expected scopes:key with scopes from ${SCOPES.join(", ")}`,
        );
      } else if (key.length < 16) {
        problems.push(`RISKGATE_API_KEYS entry ${i + 1}: key shorter than 16 characters`);
      } else if (/\s/.test(key)) {
        problems.push(`RISKGATE_API_KEYS entry ${i + 1}: key contains white space (a bearer token cannot)`);
      } else {
        keys.push(apiKey(key, scopes as Scope[]));
      }
    });
  return { keys, problems };
}

/** Keys for a development start with none configured: printed once, never stored. */
export function generateKeys(): { keys: ApiKey[]; printable: Record<Scope, string> } {
  const printable = Object.fromEntries(
    SCOPES.map((s) => [s, `rg_${s}_${randomBytes(18).toString("base64url")}`]),
  ) as Record<Scope, string>;
  return { keys: SCOPES.map((s) => apiKey(printable[s], [s])), printable };
}

/**
 * Finds the key a bearer token names. Every configured key is compared, with timingSafeEqual on
 * fixed-length digests, so the time taken says nothing about which key or how much of it matched.
 */
export function authenticate(keys: readonly ApiKey[], token: string): ApiKey | undefined {
  const d = digest(token);
  let found: ApiKey | undefined;
  for (const k of keys) {
    if (timingSafeEqual(k.digest, d) && !found) found = k;
  }
  return found;
}

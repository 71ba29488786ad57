import { hash, randomBytes, timingSafeEqual } from "node:crypto";

export const SCOPES = ["score", "review", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  /** A short, non-secret label for logs: the first characters of the key's hash. */
  readonly id: string;
  /**
   * Who holds the key: the configured person's name, or the key id for an unnamed key. It is what
   * the audit log, the review lease and the published label record, so it names a person where
   * one was configured.
   */
  readonly name: string;
  readonly digest: Buffer;
  readonly scopes: ReadonlySet<Scope>;
}

/** Letters, digits, `.`, `_`, `-`: a handle, never an e-mail address (names reach logs and labels). */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
/** A key given as its SHA-256 digest, so the configuration need not hold the secret itself. */
const HASHED_KEY = /^sha256:([0-9a-f]{64})$/;

// One-shot: every request hashes its bearer token.
const digest = (key: string) => hash("sha256", key, "buffer");

function apiKey(d: Buffer, scopes: Scope[], name?: string): ApiKey {
  const id = `key_${d.toString("hex").slice(0, 8)}`;
  return { id, name: name ?? id, digest: d, scopes: new Set(scopes) };
}

/**
 * Parses RISKGATE_API_KEYS: comma-separated `[name=]scopes:key`, scopes joined by `+`
 * (e.g. `score:k1,alice=review:k2,bob=review+admin:sha256:<hex>`). The key is the bearer token
 * itself, or `sha256:` and the 64 hex digits of its SHA-256. Returns the problems instead of
 * throwing so config validation can report them all; never echoes a key.
 */
export function parseApiKeys(raw: string): { keys: ApiKey[]; problems: string[] } {
  const keys: ApiKey[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .forEach((entry, i) => {
      const where = `RISKGATE_API_KEYS entry ${i + 1}`;
      const colon = entry.indexOf(":");
      const head = colon > 0 ? entry.slice(0, colon) : "";
      const eq = head.indexOf("=");
      const name = eq >= 0 ? head.slice(0, eq) : undefined;
      const scopes = (eq >= 0 ? head.slice(eq + 1) : head).split("+");
      const key = colon > 0 ? entry.slice(colon + 1).trim() : "";
      const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
      const hashed = HASHED_KEY.exec(key);
      if (colon <= 0 || bad.length > 0 || scopes.length === 0) {
        problems.push(
          `${where}: expected scopes:key or name=scopes:key with scopes from ${SCOPES.join(", ")}`,
        );
      } else if (name !== undefined && !NAME_PATTERN.test(name)) {
        problems.push(
          `${where}: the name must start with a letter and hold only letters, digits, '.', '_' or '-' (at most 64)`,
        );
      } else if (!hashed && key.length < 16) {
        problems.push(`${where}: key shorter than 16 characters`);
      } else if (/\s/.test(key)) {
        problems.push(`${where}: key contains white space (a bearer token cannot)`);
      } else {
        const d = hashed ? Buffer.from(hashed[1] as string, "hex") : digest(key);
        const hex = d.toString("hex");
        // One key for two entries would make its holder ambiguous in the audit.
        if (seen.has(hex)) problems.push(`${where}: the same key appears in an earlier entry`);
        else keys.push(apiKey(d, scopes as Scope[], name));
        seen.add(hex);
      }
    });
  return { keys, problems };
}

/** Keys for a development start with none configured: printed once, never stored. */
export function generateKeys(): { keys: ApiKey[]; printable: Record<Scope, string> } {
  const printable = Object.fromEntries(
    SCOPES.map((s) => [s, `rg_${s}_${randomBytes(18).toString("base64url")}`]),
  ) as Record<Scope, string>;
  return { keys: SCOPES.map((s) => apiKey(digest(printable[s]), [s], `dev-${s}`)), printable };
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

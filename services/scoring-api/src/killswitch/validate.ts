import { AppError } from "@riskgate/common/errors";

export const REASON_MAX_CHARS = 500;

const bad = (field: string, message: string) => new AppError("schema_violation", message, 400, field);

/** `{engaged: boolean, reason: string (1..500 chars)}`, nothing else; errors name the field. */
export function decodeSwitchChange(body: unknown): { engaged: boolean; reason: string } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw bad("/", 'expected a JSON object {"engaged": true|false, "reason": "…"}');
  }
  const b = body as Record<string, unknown>;
  if (typeof b.engaged !== "boolean") {
    throw bad("/engaged", `/engaged: required, true or false (got ${describe(b.engaged)})`);
  }
  if (typeof b.reason !== "string") {
    throw bad("/reason", `/reason: required, a string saying why (got ${describe(b.reason)})`);
  }
  const reason = b.reason.trim();
  if (reason.length === 0) throw bad("/reason", "/reason: must not be empty");
  if (reason.length > REASON_MAX_CHARS) {
    throw bad("/reason", `/reason: at most ${REASON_MAX_CHARS} characters (got ${reason.length})`);
  }
  for (const k of Object.keys(b)) {
    if (k !== "engaged" && k !== "reason") throw bad(`/${k}`, `/${k}: unknown field`);
  }
  return { engaged: b.engaged, reason };
}

/** `?limit=N`, 1..max, default `fallback`. */
export function decodeLimit(raw: unknown, fallback: number, max: number): number {
  if (raw === undefined || raw === "") return fallback;
  const n = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw bad("limit", `limit: expected an integer from 1 to ${max}`);
  }
  return n;
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  return Array.isArray(v) ? "an array" : `a ${typeof v}`;
}

import { createHash } from "node:crypto";
import { checkout, T0 } from "@riskgate/test-support/events";
import { describe, expect, it } from "vitest";
import { checkoutBodyHash } from "../../src/scoring/body-hash.ts";

/** Sorted keys at every depth, undefined dropped: the form stored hashes were computed over. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function reversedDeep<T>(value: T): T {
  if (Array.isArray(value) || value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversedDeep(v)]),
  ) as T;
}

describe("checkoutBodyHash", () => {
  const c = checkout("co_hash", T0);

  it("ignores key order at every depth", () => {
    expect(checkoutBodyHash(reversedDeep(c))).toBe(checkoutBodyHash(c));
  });

  it("treats an undefined optional field as absent", () => {
    const { email_domain: _d, ...user } = c.user;
    const without = { ...c, user };
    expect(checkoutBodyHash({ ...c, user: { ...user, email_domain: undefined } })).toBe(
      checkoutBodyHash(without),
    );
  });

  it("changes when any nested value changes", () => {
    const other = { ...c, booking: { ...c.booking, amount: c.booking.amount + 1 } };
    expect(checkoutBodyHash(other)).not.toBe(checkoutBodyHash(c));
    const device = { ...c, device: { ...c.device, ip: "10.0.0.2" } };
    expect(checkoutBodyHash(device)).not.toBe(checkoutBodyHash(c));
  });

  it("hashes the sorted-key JSON, so decisions stored before a deploy still match their retries", () => {
    const expected = createHash("sha256").update(sortedJson(c)).digest("hex").slice(0, 32);
    expect(checkoutBodyHash(c)).toBe(expected);
  });
});

// Helpers for the kill-switch tests: API instances (replicas when they share a key prefix), scoring,
// the admin routes, and polls with a deadline for a change to reach a replica.
import { createHash, randomBytes } from "node:crypto";
import type { Checkout } from "@riskgate/feature-store/events";
import { type ApiHarness, bearer, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { checkout, T0 } from "@riskgate/test-support/events";
import { expect } from "vitest";

export const keyId = (token: string) => `key_${createHash("sha256").update(token).digest("hex").slice(0, 8)}`;
export const ADMIN_ID = keyId(TOKENS.admin);
export const ALL_ID = keyId(TOKENS.all);

/** An API instance closed by the test file's afterAll through `cleanups`. */
export async function api(
  cleanups: (() => Promise<void>)[],
  opts: Parameters<typeof startApi>[0] = {},
): Promise<ApiHarness> {
  const h = await startApi(opts);
  cleanups.push(() => h.close());
  return h;
}

let seq = 0;
const eventId = (tag: string) => `ks-${tag}-${++seq}-${randomBytes(3).toString("hex")}`;

export async function score(h: ApiHarness, over: Partial<Checkout> = {}, tag = "s") {
  const res = await h.app.inject({
    method: "POST",
    url: "/v1/score",
    headers: bearer(TOKENS.score),
    payload: checkout(eventId(tag), T0, over),
  });
  expect(res.statusCode).toBe(200);
  return res.json();
}

export function put(h: ApiHarness, payload: unknown, token = TOKENS.admin, url = "/v1/admin/kill-switch") {
  return h.app.inject({
    method: "PUT",
    url,
    headers: { ...bearer(token), "content-type": "application/json" },
    payload: typeof payload === "string" ? payload : JSON.stringify(payload),
  });
}

export const get = (h: ApiHarness, url: string, token = TOKENS.admin) =>
  h.app.inject({ method: "GET", url, headers: bearer(token) });

/** Polls B's /v1/score until it answers `mode`; returns the time taken. */
export async function untilMode(h: ApiHarness, mode: string, from: number, limitMs = 3_000): Promise<number> {
  for (;;) {
    const body = await score(h, {}, "probe");
    if (body.mode === mode) return performance.now() - from;
    if (performance.now() - from > limitMs) throw new Error(`still ${body.mode} after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Polls an in-process condition (a replica's view of the switch) for up to a second. */
export async function waitUntil(check: () => boolean) {
  const t0 = performance.now();
  while (!check()) {
    if (performance.now() - t0 > 1_000) throw new Error("not within 1 s");
    await new Promise((r) => setTimeout(r, 10));
  }
}

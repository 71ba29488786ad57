// Helpers for the review queue tests: reviewers with their own keys, checkouts that go to review,
// and a clock the tests move.
import type { Checkout } from "@riskgate/feature-store/events";
import { type ApiHarness, bearer, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { checkout } from "@riskgate/test-support/events";

export const REVIEW_MESSAGE = { text: "please whatsapp me, details at www.example-pay.com/booking" };

/** Ten reviewers, each with its own key (so its own key id), plus the score and admin keys. */
export const REVIEWERS = Array.from({ length: 10 }, (_, i) => `reviewer-${i}-key-0123456789abcdef`);
export const REVIEW_KEYS_ENV = {
  RISKGATE_API_KEYS: [
    `score:${TOKENS.score}`,
    `admin:${TOKENS.admin}`,
    `review:${TOKENS.review}`,
    ...REVIEWERS.map((k) => `review:${k}`),
  ].join(","),
};

export class Clock {
  t: number;

  constructor(t: number) {
    this.t = t;
  }
  readonly now = () => this.t;
  advance(ms: number) {
    this.t += ms;
  }
}

export async function reviewApi(
  opts: Parameters<typeof startApi>[0] = {},
  cleanups?: (() => Promise<void>)[],
): Promise<ApiHarness> {
  const h = await startApi({ ...opts, env: { ...REVIEW_KEYS_ENV, ...opts.env } });
  cleanups?.push(() => h.close());
  return h;
}

/**
 * A checkout the off-platform-contact rule sends to review, for its own user, device and
 * instrument (a device shared by many users would score high enough for the policy to block).
 */
export function reviewCheckout(id: string, at: number, over: Partial<Checkout> = {}): Checkout {
  return checkout(id, at, {
    message: REVIEW_MESSAGE,
    user: { id: `u_${id}`, created_at: "2025-01-01T00:00:00Z" },
    device: { id: `d_${id}`, ip: "10.0.0.1", ip_country: "PT", user_agent: "Mozilla/5.0" },
    payment: { instrument_id: `pi_${id}`, type: "card", bin: "424242", country: "PT", billing_country: "PT" },
    ...over,
  });
}

/** Scores a checkout that must go to review; returns its case id. */
export async function openCase(h: ApiHarness, c: Checkout): Promise<string> {
  const res = await h.app.inject({
    method: "POST",
    url: "/v1/score",
    headers: bearer(TOKENS.score),
    payload: c,
  });
  const body = res.json();
  if (res.statusCode !== 200 || body.decision !== "review" || !body.review_case_id) {
    throw new Error(`checkout ${c.event_id} did not open a case: ${res.statusCode} ${res.body}`);
  }
  return body.review_case_id;
}

export const list = (h: ApiHarness, query = "", token = TOKENS.review) =>
  h.app.inject({ method: "GET", url: `/v1/review/cases${query}`, headers: bearer(token) });

export const claim = (h: ApiHarness, id: string, token = TOKENS.review) =>
  h.app.inject({ method: "POST", url: `/v1/review/cases/${id}/claim`, headers: bearer(token) });

export const resolve = (
  h: ApiHarness,
  id: string,
  body: Record<string, unknown> = { label: "fraud", note: "guest asked to pay off-platform" },
  token = TOKENS.review,
) =>
  h.app.inject({
    method: "POST",
    url: `/v1/review/cases/${id}/resolve`,
    headers: { ...bearer(token), "content-type": "application/json" },
    payload: body,
  });

export const features = async (h: ApiHarness, c: Checkout) =>
  (
    await h.app.inject({
      method: "POST",
      url: "/v1/features",
      headers: { ...bearer(TOKENS.score), "content-type": "application/json" },
      payload: c,
    })
  ).json().features as Record<string, number>;

// Checkout bodies of entities never seen before, for cpu-per-checkout.ts: `normal` ones, or
// `flagged` ones (a five-minute-old unverified account paying 1,500-4,500 EUR) that the model
// sends to review (explanation, review budget and case).
import type { checkout as buildCheckout } from "@riskgate/test-support/events";

/** A body maker numbering its checkouts from 0, over test-support's checkout builder. */
export function freshCheckouts(checkout: typeof buildCheckout): (flagged: boolean) => string {
  let seq = 0;
  return (flagged) => {
    const i = seq++;
    const at = Date.now();
    const base = checkout(`cpu-${i}`, at);
    return JSON.stringify(
      checkout(`cpu-${i}`, at, {
        user: flagged
          ? {
              ...base.user,
              id: `u_${i}`,
              created_at: new Date(at - 5 * 60_000).toISOString(),
              email_verified: false,
            }
          : { ...base.user, id: `u_${i}` },
        // A new user, device, card and IP per checkout: reused ones built velocity within the run,
        // and later rounds measured a path with a third of the checkouts reviewed or blocked.
        device: { ...base.device, id: `d_${i}`, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
        payment: { ...base.payment, instrument_id: `pi_${i}` },
        listing: { ...base.listing, id: `l_${i % 300}`, host_id: `h_${i % 100}` },
        booking: { ...base.booking, amount: flagged ? 1500 + (i % 3000) : 50 + (i % 400) },
      }),
    );
  };
}

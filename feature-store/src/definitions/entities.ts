import type { Checkout } from "../events/index.ts";

export const ENTITIES = ["user", "device", "payment_instrument", "listing", "host", "ip"] as const;
export type Entity = (typeof ENTITIES)[number];

/** The entity ids a checkout touches; every entity is read in the same single round trip. */
export function checkoutEntityIds(c: Checkout): Record<Entity, string> {
  return {
    user: c.user.id,
    device: c.device.id,
    payment_instrument: c.payment.instrument_id,
    listing: c.listing.id,
    host: c.listing.host_id,
    ip: c.device.ip,
  };
}

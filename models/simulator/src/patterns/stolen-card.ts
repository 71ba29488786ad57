import type { Device } from "../entities.ts";
import type { Rng } from "../rng.ts";
import { MINUTE_MS } from "../time.ts";
import type { Day, World } from "../world.ts";
import { leadDays, nights, placeBooking } from "./booking.ts";
import { fraudAccount } from "./fraudster.ts";

/**
 * Stolen card: a card never seen before, issued (and billed) in one country, used from an IP in
 * another, for an expensive stay starting soon. Adapted (drift): residential proxies in the card's
 * country and longer lead times.
 */
export function stolenCardCheckout(world: World, rng: Rng, day: Day, t: number): void {
  const { geo, pop, emit } = world;
  const { user, at } = fraudAccount(world, rng, t, 0.7);
  const device = user.devices[0] as Device;
  const cardCountry = geo.guestCountry.pick(rng);
  const card = pop.newInstrument(rng, cardCountry, at, "card");
  const listing = rng.chance(0.8) ? pop.pickPremiumListing(rng) : pop.pickListing(rng);
  let ipCountry: string;
  if (day.drift) ipCountry = rng.chance(0.6) ? cardCountry : geo.otherFraudIpCountry(rng, cardCountry);
  else if (rng.chance(0.85)) ipCountry = geo.otherFraudIpCountry(rng, cardCountry);
  else ipCountry = listing.country;
  const ip = geo.ip(rng, ipCountry);
  emit.account(at, "login", user, device, ip);
  placeBooking(world, rng, at + rng.int(2, 30) * MINUTE_MS, {
    user,
    device,
    ip,
    ipCountry,
    instrument: card,
    listing,
    nights: nights(rng, 3, 12),
    leadDays: leadDays(rng, day.drift ? 0.35 : 0.75),
    payment: rng.chance(0.93) ? "ok" : "declined",
    pattern: "stolen_card",
    drifted: day.drift,
  });
}

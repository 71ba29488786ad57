import type { Device } from "../entities.ts";
import type { Rng } from "../rng.ts";
import type { Day, World } from "../world.ts";
import { leadDays, nights, placeBooking } from "./booking.ts";
import { fraudAccount, fraudIp } from "./fraudster.ts";
import { fraudSession } from "./session.ts";

/**
 * Stolen card: a card never seen before, issued (and billed) in one country, used from an IP in
 * another, for an expensive stay starting soon. Adapted (drift): residential proxies in the card's
 * country and longer lead times.
 */
export function stolenCardCheckout(world: World, rng: Rng, day: Day, t: number): void {
  const { geo, pop } = world;
  const { user, at } = fraudAccount(world, rng, t, 0.7);
  const device = user.devices[0] as Device;
  // A third of the cards were validated by card testers earlier (the operation's stock).
  const card = world.kit.card(rng, 0.3) ?? pop.newInstrument(rng, geo.guestCountry.pick(rng), at, "card");
  const cardCountry = card.country;
  const listing = rng.chance(0.8) ? pop.pickPremiumListing(rng) : pop.pickListing(rng);
  let ipCountry: string;
  if (day.drift) ipCountry = rng.chance(0.6) ? cardCountry : geo.otherFraudIpCountry(rng, cardCountry);
  else if (rng.chance(0.85)) ipCountry = geo.otherFraudIpCountry(rng, cardCountry);
  else ipCountry = listing.country;
  const where = fraudIp(world, rng, ipCountry);
  ipCountry = where.country;
  const ip = where.ip;
  placeBooking(world, rng, fraudSession(world, rng, at, user, device, ip), {
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

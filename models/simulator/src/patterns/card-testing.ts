import type { Device, Instrument, User } from "../entities.ts";
import { currencyFor, fromEur } from "../geo.ts";
import type { Rng } from "../rng.ts";
import { MINUTE_MS, SECOND_MS } from "../time.ts";
import type { Day, World } from "../world.ts";
import { leadDays, nights, placeBooking } from "./booking.ts";
import { fraudAccount, fraudIp, TEST_FAILURES } from "./fraudster.ts";

/**
 * Card testing: a burst of small charges on a freshly stolen card, mostly failed, minutes apart; when
 * one goes through, the card is used for a booking. Adapted (drift): fewer tests spread over hours.
 */

interface Burst {
  readonly user: User;
  readonly device: Device;
  readonly ip: string;
  readonly ipCountry: string;
  readonly card: Instrument;
  readonly end: number;
}

function burst(world: World, rng: Rng, t: number, drift: boolean): Burst {
  const { user, at } = fraudAccount(world, rng, t, 0.75);
  const device = user.devices[0] as Device;
  // A card from the operation's stock is tested again now and then (it was sold on, or re-checked).
  const card =
    world.kit.card(rng, 0.15) ?? world.pop.newInstrument(rng, world.geo.guestCountry.pick(rng), at, "card");
  const cardCountry = card.country;
  const where = fraudIp(
    world,
    rng,
    rng.chance(0.7) ? world.geo.otherFraudIpCountry(rng, cardCountry) : cardCountry,
  );
  const { ip, country: ipCountry } = where;
  let cursor = at;
  if (rng.chance(0.75)) world.emit.account(cursor, "login", user, device, ip);
  const tests = drift ? rng.int(2, 4) : rng.int(4, 12);
  const currency = currencyFor(cardCountry);
  for (let i = 0; i < tests; i++) {
    cursor += drift ? rng.int(20, 120) * MINUTE_MS : rng.int(20, 240) * SECOND_MS;
    const amount = fromEur(rng.uniform(0.5, 4), currency);
    const last = i === tests - 1;
    const failureCode = last && rng.chance(0.7) ? undefined : rng.pick(TEST_FAILURES);
    world.emit.payment(cursor, { user, instrument: card, device, amount, currency, failureCode });
    if (last && failureCode === undefined) world.kit.keepCard(card);
  }
  return { user, device, ip, ipCountry, card, end: cursor };
}

export function cardTestingCheckout(world: World, rng: Rng, day: Day, t: number): void {
  const b = burst(world, rng, t, day.drift);
  const at = b.end + (day.drift ? rng.int(60, 360) : rng.int(3, 40)) * MINUTE_MS;
  placeBooking(world, rng, at, {
    user: b.user,
    device: b.device,
    ip: b.ip,
    ipCountry: b.ipCountry,
    instrument: b.card,
    listing: rng.chance(0.5) ? world.pop.pickPremiumListing(rng) : world.pop.pickListing(rng),
    nights: nights(rng, 2, 10),
    leadDays: leadDays(rng, 0.5),
    payment: rng.chance(0.9) ? "ok" : "declined",
    pattern: "card_testing",
    drifted: day.drift,
  });
}

/** A burst that never reaches a checkout (the card was dead, or sold on). */
export function cardTestingNoise(world: World, rng: Rng, day: Day, t: number): void {
  burst(world, rng, t, day.drift);
  world.stats.cardTestingNoiseBursts++;
}

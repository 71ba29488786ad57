import { KNOBS } from "../config.ts";
import type { Device, Instrument, User } from "../entities.ts";
import type { Rng } from "../rng.ts";
import { ringMessage, ringMessageAdapted } from "../text.ts";
import { MINUTE_MS } from "../time.ts";
import type { Day, Ring, World } from "../world.ts";
import { placeBooking } from "./booking.ts";
import { fraudSession } from "./session.ts";

/**
 * Collusive host rings: a host and a handful of guest accounts that share one or two devices and an
 * address block book the host's listings again and again (with stolen or mule cards) and move the
 * conversation off the platform. Adapted (drift): messages without the obvious words and numbers.
 */
export function formRing(world: World, rng: Rng, t: number, dayIndex: number): Ring {
  const { geo, pop, emit } = world;
  const host = pop.newHost(rng);
  const listings = [];
  let at = t;
  for (let i = rng.int(1, 3); i > 0; i--) {
    const listing = pop.newListing(rng, host, { price: rng.uniform(150, 450), bookable: false });
    emit.listing(at, "listing_created", listing);
    listings.push(listing);
    at += rng.int(2, 30) * MINUTE_MS;
  }
  const country = geo.guestCountry.pick(rng);
  const ipPrefix = geo.ipPrefix(rng, country);
  const devices: Device[] = [];
  for (let i = rng.int(1, 2); i > 0; i--) {
    const device = pop.newDevice(rng, country);
    device.shared = true;
    devices.push(device);
  }
  const members: User[] = [];
  for (let i = rng.int(3, 6); i > 0; i--) {
    const user = pop.newUser(rng, at, { fraud: true, country, verified: rng.chance(0.5) });
    const device = rng.pick(devices);
    emit.account(at, "signup", user, device, `${ipPrefix}.${rng.int(1, 254)}`);
    members.push(user);
    at += rng.int(5, 60) * MINUTE_MS;
  }
  const [minLife, maxLife] = KNOBS.fraud.ringLifetimeDays;
  const firstDay = dayIndex + 1;
  const ring: Ring = {
    id: world.stats.ringsFormed++,
    host,
    listings,
    members,
    devices,
    ipPrefix,
    country,
    firstDay,
    lastDay: firstDay + rng.int(minLife, maxLife),
  };
  world.rings.push(ring);
  return ring;
}

export function ringBooking(world: World, rng: Rng, day: Day, t: number, ring: Ring): void {
  const { geo, pop } = world;
  const user = rng.pick(ring.members);
  const device = rng.pick(ring.devices);
  const ip = `${ring.ipPrefix}.${rng.int(1, 254)}`;
  let instrument = rng.pick(user.instruments) as Instrument;
  if (rng.chance(0.25)) {
    instrument = pop.newInstrument(rng, geo.guestCountry.pick(rng), t, "card");
    user.instruments.push(instrument);
  }
  let message: string | undefined;
  if (rng.chance(0.85)) message = day.drift ? ringMessageAdapted(rng) : ringMessage(rng, ring.host.country);
  placeBooking(world, rng, fraudSession(world, rng, t, user, device, ip), {
    user,
    device,
    ip,
    ipCountry: ring.country,
    instrument,
    listing: rng.pick(ring.listings),
    nights: rng.int(2, 6),
    leadDays: rng.uniform(1, 30),
    message,
    payment: "ok",
    pattern: "host_ring",
    drifted: day.drift,
  });
}

/** Rings that may book on this day. */
export function activeRings(world: World, dayIndex: number): Ring[] {
  return world.rings.filter((r) => r.firstDay <= dayIndex && dayIndex <= r.lastDay);
}

/** How many rings should be active so that ring bookings reach their rate. */
export function targetRings(bookingsPerDay: number): number {
  if (bookingsPerDay <= 0) return 0;
  return Math.max(1, Math.round(bookingsPerDay / KNOBS.fraud.ringBookingsPerDay));
}

import { KNOBS } from "../config.ts";
import type { Device, Instrument, User } from "../entities.ts";
import { everydayIp } from "../networks.ts";
import type { Rng } from "../rng.ts";
import { legitMessage } from "../text.ts";
import { MINUTE_MS } from "../time.ts";
import type { World } from "../world.ts";
import { leadDays, nights, placeBooking } from "./booking.ts";
import { legitSession } from "./session.ts";

/** The device a user picks up: usually their own phone, sometimes the family tablet. */
function usualDevice(rng: Rng, user: User): Device {
  const shared = user.devices.find((d) => d.shared);
  if (shared && rng.chance(0.4)) return shared;
  return rng.chance(0.75) ? (user.devices[0] as Device) : rng.pick(user.devices);
}

/**
 * A legit guest books: optional signup (new user), new device, password reset; a login minutes or
 * hours before, or none (a remembered session); the checkout;
 * payment (sometimes failed and retried). Several steps carry the same signals as the frauds.
 */
export function legitCheckout(world: World, rng: Rng, t: number): void {
  const k = KNOBS.legit;
  const { pop, emit, stats } = world;
  let at = t;
  let user: User;
  let device: Device;
  if (rng.chance(k.newUserShare)) {
    user = pop.newUser(rng, t, { verified: rng.chance(0.6) });
    device = user.devices[0] as Device;
    emit.account(at, "signup", user, device, device.homeIp);
    at += rng.int(2, 90) * MINUTE_MS;
  } else {
    user = pop.pickUser(rng);
    device = usualDevice(rng, user);
    if (rng.chance(k.newDeviceShare)) {
      device = pop.newDevice(rng, user.country);
      user.devices.push(device);
      emit.account(at, "device_added", user, device, device.homeIp);
      at += rng.int(1, 5) * MINUTE_MS;
      stats.lookalikes.new_device++;
    }
    if (rng.chance(k.passwordResetShare)) {
      emit.account(at, "password_reset", user, device, device.homeIp);
      at += rng.int(2, 30) * MINUTE_MS;
      stats.lookalikes.password_reset_before_booking++;
    }
  }

  const listing = pop.pickListing(rng);
  let ip = everydayIp(world.nets, world.geo, rng, user, device);
  let ipCountry = user.country;
  if (rng.chance(k.travellerShare)) {
    // Booking the next stop while already on the road: hotel wifi or a local SIM.
    ipCountry =
      rng.chance(0.6) && listing.country !== user.country
        ? listing.country
        : world.geo.otherGuestCountry(rng, user.country);
    ip = rng.chance(0.6) ? world.nets.hotel(rng, ipCountry) : world.geo.ip(rng, ipCountry);
    stats.lookalikes.traveller++;
  }

  let instrument: Instrument = rng.chance(0.8)
    ? (user.instruments[0] as Instrument)
    : rng.pick(user.instruments);
  if (rng.chance(k.newInstrumentShare)) {
    instrument = pop.newInstrument(rng, user.country, at);
    user.instruments.push(instrument);
    stats.lookalikes.new_instrument++;
  }

  at = legitSession(world, rng, at, user, device, ip);

  let message: string | undefined;
  if (rng.chance(k.messageShare)) {
    const contact = rng.chance(k.contactInMessageShare);
    if (contact) stats.lookalikes.contact_in_message++;
    message = legitMessage(rng, user.country, contact);
  }

  placeBooking(world, rng, at, {
    user,
    device,
    ip,
    ipCountry,
    instrument,
    listing,
    nights: nights(rng),
    leadDays: leadDays(rng, k.shortLeadShare),
    message,
    payment: rng.chance(k.paymentFailShare) ? "retry" : "ok",
    pattern: null,
  });
}

import type { Device, User } from "../entities.ts";
import { currencyFor, fromEur } from "../geo.ts";
import { everydayIp } from "../networks.ts";
import type { Rng } from "../rng.ts";
import { MINUTE_MS, SECOND_MS } from "../time.ts";
import type { World } from "../world.ts";

/** Everyday events that are not checkouts: logins, extra payments, account upkeep, listing changes. */

function someDevice(rng: Rng, user: User): Device {
  return rng.chance(0.8) ? (user.devices[0] as Device) : rng.pick(user.devices);
}

export function browsingLogin(world: World, rng: Rng, t: number): void {
  const user = world.pop.pickUser(rng);
  const device = someDevice(rng, user);
  world.emit.account(t, "login", user, device, everydayIp(world.nets, world.geo, rng, user, device));
}

/** Payments outside checkouts (extra guests, damage deposits); now and then declined. */
export function otherPayment(world: World, rng: Rng, t: number): void {
  const user = world.pop.pickUser(rng);
  const instrument = rng.pick(user.instruments);
  const currency = currencyFor(instrument.country);
  const amount = fromEur(rng.logNormal(60, 0.7), currency);
  const pay = { user, instrument, device: someDevice(rng, user), amount, currency };
  if (rng.chance(0.04)) {
    world.emit.payment(t, {
      ...pay,
      failureCode: rng.pick(["insufficient_funds", "authentication_required"]),
    });
    if (rng.chance(0.6)) world.emit.payment(t + rng.int(30, 600) * SECOND_MS, pay);
  } else {
    world.emit.payment(t, pay);
  }
}

export function signupOnly(world: World, rng: Rng, t: number): void {
  const user = world.pop.newUser(rng, t, { verified: rng.chance(0.7) });
  const device = user.devices[0] as Device;
  world.emit.account(t, "signup", user, device, device.homeIp);
  if (rng.chance(0.7))
    world.emit.account(t + rng.int(1, 20) * MINUTE_MS, "login", user, device, device.homeIp);
}

export function passwordReset(world: World, rng: Rng, t: number): void {
  const user = world.pop.pickUser(rng);
  const device = someDevice(rng, user);
  world.emit.account(t, "password_reset", user, device, device.homeIp);
  world.emit.account(t + rng.int(1, 15) * MINUTE_MS, "login", user, device, device.homeIp);
}

export function emailChange(world: World, rng: Rng, t: number): void {
  const user = world.pop.pickUser(rng);
  const device = someDevice(rng, user);
  user.emailDomain = world.geo.emailDomain.pick(rng);
  world.emit.account(t, "email_change", user, device, device.homeIp);
}

export function deviceAdded(world: World, rng: Rng, t: number): void {
  const user = world.pop.pickUser(rng);
  const device = world.pop.newDevice(rng, user.country);
  user.devices.push(device);
  world.emit.account(t, "device_added", user, device, device.homeIp);
  world.emit.account(t + rng.int(10, 120) * SECOND_MS, "login", user, device, device.homeIp);
}

export function listingUpdate(world: World, rng: Rng, t: number): void {
  const listing = world.pop.pickListing(rng);
  listing.pricePerNight = Math.max(20, Math.round(listing.pricePerNight * rng.uniform(0.85, 1.2)));
  world.emit.listing(t, "listing_updated", listing);
}

export function newListing(world: World, rng: Rng, t: number): void {
  const pop = world.pop;
  const host = rng.chance(0.5) && pop.hosts.length > 0 ? rng.pick(pop.hosts) : pop.newHost(rng);
  world.emit.listing(t, "listing_created", pop.newListing(rng, host));
}

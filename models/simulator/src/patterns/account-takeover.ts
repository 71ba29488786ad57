import { KNOBS } from "../config.ts";
import type { Device, Instrument, User } from "../entities.ts";
import type { Rng } from "../rng.ts";
import { DAY_MS, MINUTE_MS } from "../time.ts";
import type { Day, PlantedDevice, World } from "../world.ts";
import { leadDays, nights, placeBooking } from "./booking.ts";
import { fraudIp } from "./fraudster.ts";

const VICTIM_MIN_AGE_MS = 90 * DAY_MS;

/**
 * Account takeover. Classic: a password reset from a device and IP the victim never used, often an
 * email change, the new device added and logged in, and a dear booking within hours on the victim's
 * saved card. Adapted (drift): a device planted on the account weeks earlier (it looks aged and
 * known), usually no reset, an IP in the victim's country.
 */
export function accountTakeover(world: World, rng: Rng, day: Day, t: number): void {
  const planted = day.drift ? takePlanted(world, t) : undefined;
  if (planted) adaptedTakeover(world, rng, t, planted);
  else classicTakeover(world, rng, t);
}

function classicTakeover(world: World, rng: Rng, t: number): void {
  const { geo, pop, emit } = world;
  const victim = pop.pickUser(rng, VICTIM_MIN_AGE_MS, t);
  victim.compromised = true;
  const attackerCountry = rng.chance(0.7) ? geo.otherFraudIpCountry(rng, victim.country) : victim.country;
  const device = world.kit.device(rng, 0.3) ?? pop.newDevice(rng, attackerCountry, true);
  world.kit.keepDevice(device);
  const where = fraudIp(world, rng, attackerCountry);
  const ip = where.ip;
  let at = t;
  emit.account(at, "password_reset", victim, device, ip);
  at += rng.int(3, 20) * MINUTE_MS;
  let email: { domain: string; verified: boolean } | undefined;
  if (rng.chance(0.6)) {
    emit.account(at, "email_change", victim, device, ip);
    email = { domain: geo.fraudEmailDomain.pick(rng), verified: false };
    at += rng.int(1, 10) * MINUTE_MS;
  }
  emit.account(at, "device_added", victim, device, ip);
  at += rng.int(1, 5) * MINUTE_MS;
  emit.account(at, "login", victim, device, ip);
  at += rng.int(20, 360) * MINUTE_MS;
  // A fresh login just before the booking about half the time (the session from the reset is old).
  if (rng.chance(0.5)) {
    emit.account(at, "login", victim, device, ip);
    at += rng.int(2, 20) * MINUTE_MS;
  }
  book(world, rng, at, victim, device, ip, where.country, email, false);
  scheduleRecovery(world, rng, at, victim);
}

function adaptedTakeover(world: World, rng: Rng, t: number, planted: PlantedDevice): void {
  const { geo, emit } = world;
  const victim = planted.victim;
  victim.compromised = true;
  const ipCountry = rng.chance(0.7) ? victim.country : geo.otherFraudIpCountry(rng, victim.country);
  const ip = ipCountry === victim.country && rng.chance(0.5) ? planted.ip : geo.ip(rng, ipCountry);
  let at = t;
  if (rng.chance(0.1)) {
    emit.account(at, "password_reset", victim, planted.device, ip);
    at += rng.int(3, 20) * MINUTE_MS;
  }
  emit.account(at, "login", victim, planted.device, ip);
  at += rng.int(10, 180) * MINUTE_MS;
  book(world, rng, at, victim, planted.device, ip, ipCountry, undefined, true);
  scheduleRecovery(world, rng, at, victim);
}

/** Most victims notice within days to weeks and win the account back. */
function scheduleRecovery(world: World, rng: Rng, at: number, victim: User): void {
  if (rng.chance(0.8)) world.recoveries.push({ victim, atMs: at + Math.floor(rng.uniform(1, 20) * DAY_MS) });
}

/**
 * The victim comes back: a password reset and a login from their own device at home; legit
 * bookings follow again (with the account's fraud labels and recent reset in its history).
 */
export function recoverAccount(world: World, rng: Rng, t: number, victim: User): void {
  const device = victim.devices[0] as Device;
  world.emit.account(t, "password_reset", victim, device, device.homeIp);
  world.emit.account(t + rng.int(1, 15) * MINUTE_MS, "login", victim, device, device.homeIp);
  victim.compromised = false;
  world.stats.recoveredVictims++;
}

function book(
  world: World,
  rng: Rng,
  at: number,
  victim: PlantedDevice["victim"],
  device: Device,
  ip: string,
  ipCountry: string,
  email: { domain: string; verified: boolean } | undefined,
  drifted: boolean,
): void {
  let instrument: Instrument = victim.instruments[0] as Instrument;
  if (rng.chance(0.2))
    instrument = world.pop.newInstrument(rng, world.geo.guestCountry.pick(rng), at, "card");
  placeBooking(world, rng, at, {
    user: victim,
    device,
    ip,
    ipCountry,
    instrument,
    listing: world.pop.pickPremiumListing(rng),
    nights: nights(rng, 3, 12),
    leadDays: leadDays(rng, 0.6),
    email,
    payment: "ok",
    pattern: "account_takeover",
    drifted,
  });
}

/** Quietly adds a fraudster's device to an aged account (used weeks later by adapted takeovers). */
export function plantDevice(world: World, rng: Rng, t: number): void {
  const { geo, pop, emit } = world;
  const victim = pop.pickUser(rng, VICTIM_MIN_AGE_MS, t);
  const device = pop.newDevice(rng, victim.country);
  const ip = geo.ip(rng, victim.country);
  emit.account(t, "device_added", victim, device, ip);
  emit.account(t + rng.int(1, 5) * MINUTE_MS, "login", victim, device, ip);
  world.planted.push({ victim, device, ip, plantedAtMs: t });
  world.stats.plantedDevices++;
}

/** The oldest planted device old enough to use, whose victim is still untouched. */
function takePlanted(world: World, t: number): PlantedDevice | undefined {
  const minAge = KNOBS.fraud.atoPlantMinAgeDays * DAY_MS;
  const idx = world.planted.findIndex((p) => t - p.plantedAtMs >= minAge && !p.victim.compromised);
  if (idx < 0) return undefined;
  const [planted] = world.planted.splice(idx, 1);
  return planted;
}

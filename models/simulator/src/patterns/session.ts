import type { Device, User } from "../entities.ts";
import { everydayIp } from "../networks.ts";
import type { Rng } from "../rng.ts";
import { HOUR_MS, MINUTE_MS } from "../time.ts";
import type { World } from "../world.ts";

/** How a legit guest's checkout relates to their last login (shares sum to 1). */
export const LEGIT_SESSION = {
  /** Logged in minutes before, from the address they check out from. */
  freshSameIp: 0.4,
  /** Logged in minutes before on the phone (carrier NAT) or another device, checked out elsewhere. */
  freshOtherIp: 0.12,
  /** Logged in hours before and kept browsing (a long session). */
  longSession: 0.18,
  /** No login at all: remember-me cookie or an app session that never expires. */
  remembered: 0.3,
} as const;

/**
 * The login, if any, that precedes a legit checkout at `t`; returns when the checkout happens.
 * A long session moves the checkout hours after its login (the login stays inside the episode's day).
 */
export function legitSession(
  world: World,
  rng: Rng,
  t: number,
  user: User,
  device: Device,
  ip: string,
): number {
  const r = rng.float();
  const s = LEGIT_SESSION;
  if (r < s.freshSameIp) {
    world.emit.account(t, "login", user, device, ip);
    return t + rng.int(1, 25) * MINUTE_MS;
  }
  if (r < s.freshSameIp + s.freshOtherIp) {
    const other = rng.chance(0.5) ? rng.pick(user.devices) : device;
    const otherIp = rng.chance(0.6)
      ? world.nets.carrierNat(rng, user.country)
      : everydayIp(world.nets, world.geo, rng, user, other);
    world.emit.account(t, "login", user, other, otherIp);
    return t + rng.int(2, 50) * MINUTE_MS;
  }
  if (r < s.freshSameIp + s.freshOtherIp + s.longSession) {
    world.emit.account(
      t,
      "login",
      user,
      device,
      rng.chance(0.7) ? ip : everydayIp(world.nets, world.geo, rng, user, device),
    );
    return t + Math.floor(rng.uniform(1.05, 9) * HOUR_MS);
  }
  return t;
}

/**
 * Fraudsters log in too: usually minutes before the checkout, sometimes hours before (the account was
 * warmed up earlier in the day), sometimes not at all (a stolen session cookie).
 */
export function fraudSession(
  world: World,
  rng: Rng,
  t: number,
  user: User,
  device: Device,
  ip: string,
  share = { fresh: 0.6, long: 0.2 },
): number {
  const r = rng.float();
  if (r < share.fresh) {
    world.emit.account(t, "login", user, device, ip);
    return t + rng.int(2, 30) * MINUTE_MS;
  }
  if (r < share.fresh + share.long) {
    world.emit.account(t, "login", user, device, ip);
    return t + Math.floor(rng.uniform(1.05, 6) * HOUR_MS);
  }
  return t + rng.int(1, 10) * MINUTE_MS;
}

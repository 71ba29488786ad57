import type { Device, User } from "../entities.ts";
import type { Rng } from "../rng.ts";
import { MINUTE_MS } from "../time.ts";
import type { World } from "../world.ts";

/**
 * An account for a fraudster: a fresh signup at `t` (returns the time after it), or an older "sleeper"
 * account registered months earlier (its signup and a login or two are in the world's history).
 */
export function fraudAccount(
  world: World,
  rng: Rng,
  t: number,
  freshShare: number,
): { user: User; at: number } {
  const sleeper = rng.chance(freshShare) ? undefined : world.pop.sleepers.pop();
  if (sleeper) {
    useKitDevice(world, rng, sleeper);
    return { user: sleeper, at: t };
  }
  const user = world.pop.newUser(rng, t, { fraud: true, verified: rng.chance(0.3) });
  const device = useKitDevice(world, rng, user);
  world.emit.account(t, "signup", user, device, device.homeIp);
  return { user, at: t + rng.int(1, 25) * MINUTE_MS };
}

/** The account's main device: an emulator/phone from earlier attempts a third of the time. */
function useKitDevice(world: World, rng: Rng, user: User): Device {
  const reused = world.kit.device(rng, 0.35);
  if (reused) user.devices[0] = reused;
  const device = user.devices[0] as Device;
  world.kit.keepDevice(device);
  return device;
}

/**
 * Where a fraudster connects from: a proxy or host used in earlier attempts (40 %), a phone behind
 * a carrier NAT (10 %), or a fresh address in `country`.
 */
export function fraudIp(world: World, rng: Rng, country: string): { ip: string; country: string } {
  const reused = world.kit.ip(rng, 0.4);
  if (reused) return reused;
  const ip = rng.chance(0.1) ? world.nets.carrierNat(rng, country) : world.geo.ip(rng, country);
  world.kit.keepIp(ip, country);
  return { ip, country };
}

/** Small test charges as card testers make them (failure codes a processor would send). */
export const TEST_FAILURES = [
  "card_declined",
  "incorrect_cvc",
  "expired_card",
  "do_not_honor",
  "invalid_number",
];

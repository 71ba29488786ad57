import type { User } from "../entities.ts";
import type { Rng } from "../rng.ts";
import { DAY_MS, MINUTE_MS } from "../time.ts";
import type { World } from "../world.ts";

/**
 * An account for a fraudster: a fresh signup at `t` (returns the time after it), or an older "sleeper"
 * account registered before the simulated window (so it has no signup event).
 */
export function fraudAccount(
  world: World,
  rng: Rng,
  t: number,
  freshShare: number,
): { user: User; at: number } {
  if (rng.chance(freshShare)) {
    const user = world.pop.newUser(rng, t, { fraud: true, verified: rng.chance(0.3) });
    const device = user.devices[0];
    world.emit.account(t, "signup", user, device, device?.homeIp);
    return { user, at: t + rng.int(1, 25) * MINUTE_MS };
  }
  const created = world.startMs - rng.uniform(5, 90) * DAY_MS;
  const user = world.pop.newUser(rng, Math.floor(created), { fraud: true, verified: rng.chance(0.6) });
  return { user, at: t };
}

/** Small test charges as card testers make them (failure codes a processor would send). */
export const TEST_FAILURES = [
  "card_declined",
  "incorrect_cvc",
  "expired_card",
  "do_not_honor",
  "invalid_number",
];

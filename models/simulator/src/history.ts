import type { Device, Host, Instrument, Listing, User } from "./entities.ts";
import { currencyFor, fromEur } from "./geo.ts";
import { everydayIp } from "./networks.ts";
import type { Rng } from "./rng.ts";
import { DAY_MS, HOUR_MS } from "./time.ts";
import type { Envelope, Timeline } from "./timeline/timeline.ts";
import type { World } from "./world.ts";

/** The oldest listing in the initial inventory (about four years before the start). */
export const HISTORY_DAYS = 1500;
/** History is emitted in windows of this many days, so only one window's events are in memory. */
const WINDOW_DAYS = 30;
/** Share of the initial inventory run by property managers with dozens of listings. */
const MANAGED_SHARE = 0.25;
const LISTINGS_PER_MANAGER = 40;

type Step =
  | { t: number; kind: "signup" | "login"; user: User; device: Device; ip: string }
  | {
      t: number;
      kind: "payment";
      user: User;
      device: Device;
      instrument: Instrument;
      eur: number;
      fail?: string;
    }
  | { t: number; kind: "listing"; listing: Listing };

/**
 * The world's past, before the first simulated day: every account that exists at the start signs up
 * at its creation date and logs in and pays now and then since; the initial listings were created
 * over the last four years, a quarter of them by large property managers. Without it every entity
 * would be "first seen" at the start of the replay and ages would cap at the world's length.
 */
export async function emitHistory(
  world: World,
  timeline: Timeline,
  rng: Rng,
  inventory: number,
  write: (batch: Envelope[]) => Promise<void>,
): Promise<void> {
  const steps: Step[] = [];
  const end = world.startMs - DAY_MS;
  for (const user of world.pop.users) userHistory(world, rng, user, end, steps, true);
  for (const user of world.pop.sleepers) userHistory(world, rng, user, end, steps, false);
  createInventory(world, rng, inventory, end, steps);
  steps.sort((a, b) => a.t - b.t);

  const from = Math.min(steps[0]?.t ?? end, end);
  let i = 0;
  for (let w = from; w < end; w += WINDOW_DAYS * DAY_MS) {
    const wEnd = Math.min(end, w + WINDOW_DAYS * DAY_MS);
    timeline.open(w, wEnd);
    for (; i < steps.length && (steps[i] as Step).t < wEnd; i++) play(world, steps[i] as Step);
    await write(timeline.close());
  }
}

function userHistory(world: World, rng: Rng, user: User, end: number, steps: Step[], pays: boolean): void {
  const device0 = user.devices[0] as Device;
  steps.push({ t: user.createdAtMs, kind: "signup", user, device: device0, ip: device0.homeIp });
  const span = end - user.createdAtMs;
  if (span <= HOUR_MS) return;
  const ageDays = span / DAY_MS;
  const at = () => user.createdAtMs + Math.floor(rng.float() * span);
  for (let n = Math.min(4, rng.poisson(0.5 + ageDays / 365)); n > 0; n--) {
    const device = rng.pick(user.devices);
    const ip = everydayIp(world.nets, world.geo, rng, user, device);
    steps.push({ t: at(), kind: "login", user, device, ip });
  }
  for (let n = pays ? Math.min(6, rng.poisson(ageDays / 300)) : 0; n > 0; n--) {
    const instrument = rng.chance(0.8) ? (user.instruments[0] as Instrument) : rng.pick(user.instruments);
    const eur = Math.min(6000, Math.max(30, rng.logNormal(320, 0.7)));
    const fail = rng.chance(0.04) ? rng.pick(["insufficient_funds", "authentication_required"]) : undefined;
    steps.push({ t: at(), kind: "payment", user, device: rng.pick(user.devices), instrument, eur, fail });
  }
}

/** The listings on offer at the start, created over the past years; some hosts are large managers. */
function createInventory(world: World, rng: Rng, inventory: number, end: number, steps: Step[]): void {
  const { pop } = world;
  const managers: Host[] = [];
  for (let i = Math.max(1, Math.round((inventory * MANAGED_SHARE) / LISTINGS_PER_MANAGER)); i > 0; i--) {
    managers.push(pop.newHost(rng));
  }
  let host = pop.newHost(rng);
  for (let i = 0; i < inventory; i++) {
    let owner: Host;
    if (rng.chance(MANAGED_SHARE)) owner = rng.pick(managers);
    else {
      if (host.listings.length > 0 && rng.chance(1 / 1.6)) host = pop.newHost(rng);
      owner = host;
    }
    // Older listings are rarer than recent ones (churn): age = HISTORY_DAYS * u^1.6.
    const ageMs = Math.max(HOUR_MS, HISTORY_DAYS * rng.float() ** 1.6 * DAY_MS);
    steps.push({ t: Math.floor(end - ageMs), kind: "listing", listing: pop.newListing(rng, owner) });
  }
}

function play(world: World, s: Step): void {
  const { emit } = world;
  if (s.kind === "listing") emit.listing(s.t, "listing_created", s.listing);
  else if (s.kind === "payment") {
    const currency = currencyFor(s.instrument.country);
    const pay = {
      user: s.user,
      instrument: s.instrument,
      device: s.device,
      amount: fromEur(s.eur, currency),
      currency,
    };
    if (s.fail) {
      emit.payment(s.t, { ...pay, failureCode: s.fail });
      emit.payment(s.t + 5 * 60_000, pay);
    } else emit.payment(s.t, pay);
  } else emit.account(s.t, s.kind, s.user, s.device, s.ip);
}

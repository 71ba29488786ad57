// Request bodies for POST /v1/score drawn from a simulated world: many users, devices and cards as the
// simulator makes them, a few hot listings and shared IPs on top, fraud oversampled so rules, reviews
// and blocks fire, and every body a fresh event id with its times moved to now (so velocity windows
// and account ages look like live traffic). Work per body is constant: templates are read once.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { generateWorld, generatorFingerprint, hashString, Rng, resolveOptions } from "@riskgate/simulator";
import type { Traffic } from "./scenario.ts";

// biome-ignore lint/suspicious/noExplicitAny: a checkout as the simulator wrote it (validated by the API)
type Checkout = Record<string, any>;

export interface WorldTemplates {
  readonly legit: readonly Checkout[];
  readonly fraud: readonly Checkout[];
}

/** Share of normal traffic that is fraud from the world (its own rate is ~0.5 %). */
const FRAUD_SHARE = 0.05;
const HOT_LISTING_SHARE = 0.08;
const SHARED_IP_SHARE = 0.03;

/** Generates (once, cached under dir) a small world and splits its checkouts by ground truth. */
export async function loadTemplates(dir: string, days = 3): Promise<WorldTemplates> {
  // Named by the generator's fingerprint: a world cached before the simulator changed is not reused.
  const out = join(dir, `world-s11-d${days}-${generatorFingerprint()}`);
  if (!existsSync(join(out, "world.json"))) {
    process.stderr.write(`load: simulating a ${days}-day world into ${out} (once) ...\n`);
    await generateWorld(resolveOptions({ out, seed: 11, days, fraudRateScale: 4, validate: false }));
  }
  const lines = (file: string) =>
    readFileSync(join(out, file), "utf8")
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l));
  const fraudIds = new Set(lines("truth.jsonl").flatMap((t) => (t.fraud ? [t.checkout_event_id] : [])));
  const legit: Checkout[] = [];
  const fraud: Checkout[] = [];
  for (const c of lines("checkouts.jsonl")) {
    const { type: _type, ...body } = c;
    (fraudIds.has(c.event_id) ? fraud : legit).push(body);
  }
  return { legit, fraud };
}

const shift = (iso: string, deltaMs: number) => new Date(Date.parse(iso) + deltaMs).toISOString();

export class BodyFactory {
  readonly #t: WorldTemplates;
  readonly #runId: string;
  readonly #random: () => number;
  readonly #now: () => number;
  #seq = 0;

  constructor(templates: WorldTemplates, runId: string, now: () => number = Date.now) {
    if (templates.legit.length === 0 || templates.fraud.length === 0)
      throw new Error("the world has no legit or no fraud checkouts: simulate more days");
    this.#t = templates;
    this.#runId = runId;
    // The simulator's generator: the same run id draws the same bodies.
    const rng = new Rng(hashString(runId));
    this.#random = () => rng.float();
    this.#now = now;
  }

  /** One JSON body for the given stage traffic. */
  next(traffic: Traffic = {}): string {
    const r = this.#random;
    const seq = this.#seq++;
    const hot = (traffic.hotShare ?? 0) > 0 && r() < (traffic.hotShare ?? 0);
    const fromFraud = traffic.flagged || hot || r() < FRAUD_SHARE;
    const pool = fromFraud ? this.#t.fraud : this.#t.legit;
    const c = pool[Math.floor(r() * pool.length)] as Checkout;
    const now = this.#now();
    const delta = now - Date.parse(c.occurred_at);
    const body: Checkout = {
      ...c,
      event_id: `lt-${this.#runId}-${seq}`,
      occurred_at: new Date(now).toISOString(),
      user: { ...c.user, created_at: shift(c.user.created_at, delta) },
      device: { ...c.device },
      payment: { ...c.payment },
      listing: { ...c.listing },
      booking: { ...c.booking, checkin_at: shift(c.booking.checkin_at, delta) },
    };
    if (hot) {
      // A card-testing burst: one card, one IP, many small amounts.
      body.payment.instrument_id = `pi_hot_${this.#runId}`;
      body.device.ip = "198.51.100.77";
      body.booking.amount = 1 + Math.floor(r() * 30);
    } else if (traffic.flagged) {
      // A fresh, unverified account paying a lot: what an attack wave looks like to the model.
      body.user.created_at = new Date(now - 5 * 60_000).toISOString();
      body.user.email_verified = false;
      body.booking.amount = 1500 + Math.floor(r() * 3000);
    } else {
      if (r() < HOT_LISTING_SHARE) body.listing.id = `l_hot_${Math.floor(r() * 4)}`;
      if (r() < SHARED_IP_SHARE) body.device.ip = `192.0.2.${10 + Math.floor(r() * 3)}`;
    }
    return JSON.stringify(body);
  }
}

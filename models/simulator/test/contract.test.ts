import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeEvent, topicForEventType } from "@riskgate/feature-store/events";
import {
  FILES,
  type Generated,
  generate,
  readJsonl,
  readLines,
} from "@riskgate/test-support/simulated-world";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const TOPICS = ["payments", "accounts", "listings", "labels", "checkouts"] as const;

describe("simulator output contract", () => {
  let g: Generated;

  beforeAll(async () => {
    // Validation inside the generator is off, so this test checks the files independently.
    g = await generate({ seed: 11, days: 6, checkoutsPerDay: 300, validate: false });
  });
  afterAll(() => g?.cleanup());

  it("writes every event so that decodeEvent accepts it, in the file of its topic", async () => {
    for (const topic of TOPICS) {
      const lines = await readLines(g.dir, topic);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const event = decodeEvent(JSON.parse(line));
        expect(topicForEventType(event.type)).toBe(topic);
      }
    }
  });

  it("sorts every file by occurred_at, ties by event_id", async () => {
    for (const topic of TOPICS) {
      const events = await readJsonl(g.dir, topic);
      for (let i = 1; i < events.length; i++) {
        const [prev, cur] = [events[i - 1], events[i]];
        const order =
          Date.parse(prev.occurred_at) - Date.parse(cur.occurred_at) ||
          (prev.event_id < cur.event_id ? -1 : prev.event_id > cur.event_id ? 1 : 0);
        expect(order, `${topic} line ${i + 1}`).toBeLessThan(0);
      }
    }
  });

  it("uses event ids unique across all files", async () => {
    const seen = new Set<string>();
    let total = 0;
    for (const topic of TOPICS) {
      for (const e of await readJsonl(g.dir, topic)) {
        seen.add(e.event_id);
        total++;
      }
    }
    expect(seen.size).toBe(total);
    expect(total).toBe(g.summary.events);
  });

  it("writes one truth line per checkout, in checkout order", async () => {
    const checkouts = await readJsonl(g.dir, "checkouts");
    const truth = await readJsonl(g.dir, "truth");
    expect(truth.map((t) => t.checkout_event_id)).toEqual(checkouts.map((c) => c.event_id));
    const drifted: Record<string, number> = {};
    for (const t of truth) {
      expect(Object.keys(t).sort()).toEqual(["checkout_event_id", "drifted", "fraud", "pattern"]);
      expect(t.fraud).toBe(t.pattern !== null);
      if (t.drifted) drifted[t.pattern as string] = (drifted[t.pattern as string] ?? 0) + 1;
      else expect(t.drifted).toBe(false);
    }
    // Only fraud drifts, and the truth agrees with the summary's count per pattern.
    expect(drifted).toEqual(Object.fromEntries(Object.entries(g.summary.drifted).filter(([, n]) => n > 0)));
  });

  it("describes the run in world.json", async () => {
    const world = JSON.parse(await readFile(join(g.dir, "world.json"), "utf8"));
    expect(world).toMatchObject({ seed: 11, days: 6, start: "2026-01-05T00:00:00.000Z" });
    for (const f of FILES) expect(world.files[`${f}.jsonl`]).toBe((await readLines(g.dir, f)).length);
    expect(world.checkouts).toBe(world.files["checkouts.jsonl"]);
    expect(world.generation.seconds).toBeGreaterThan(0);
  });

  it("keeps checkouts consistent with the world: users exist, check-in after booking, ip_country set", async () => {
    const checkouts = await readJsonl(g.dir, "checkouts");
    for (const c of checkouts) {
      expect(Date.parse(c.user.created_at)).toBeLessThanOrEqual(Date.parse(c.occurred_at));
      expect(Date.parse(c.booking.checkin_at)).toBeGreaterThan(Date.parse(c.occurred_at));
      expect(c.device.ip_country).toMatch(/^[A-Z]{2}$/);
      expect(c.device.ip).toMatch(/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/);
      for (const part of c.device.ip.split(".")) expect(Number(part)).toBeLessThanOrEqual(255);
    }
    // Every booked listing was created before the checkout.
    const created = new Map<string, number>();
    for (const l of await readJsonl(g.dir, "listings")) {
      if (l.type === "listing_created") created.set(l.listing_id, Date.parse(l.occurred_at));
    }
    for (const c of checkouts) expect(created.get(c.listing.id)).toBeLessThan(Date.parse(c.occurred_at));
    // Users created inside the window signed up exactly then (older accounts predate the log).
    const signups = new Map<string, string>();
    for (const a of await readJsonl(g.dir, "accounts"))
      if (a.type === "signup") signups.set(a.user_id, a.occurred_at);
    const windowStart = Date.parse(g.summary.start) - 86_400_000;
    for (const c of checkouts) {
      if (Date.parse(c.user.created_at) >= windowStart)
        expect(signups.get(c.user.id)).toBe(c.user.created_at);
    }
  });
});

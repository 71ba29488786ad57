import { checkout } from "@riskgate/test-support/events";
import { describe, expect, it } from "vitest";
import { FEATURES, FeatureSet } from "../../src/definitions/index.ts";
import { bucketIndex, countWindow, hllRing } from "../../src/online/buckets.ts";
import type { EntityRead } from "../../src/online/contract.ts";
import { ReadArgsEncoder } from "../../src/online/read-args.ts";

// The read script's protocol (read-entities-lua.ts), written out the plain way.
function protocol(er: EntityRead, asOf: number): unknown[] {
  return [
    er.counts.map((c) => {
      const w = countWindow(asOf, c.windowMs);
      return [c.name, w.unit.letter, w.unit.slots, w.newest, w.n];
    }),
    er.distinct.map((d) => {
      const ring = hllRing(d.windowMs);
      return [d.name, asOf - d.windowMs, d.windowMs, ring.buckets, bucketIndex(asOf, ring.bucketMs)];
    }),
    er.members.map((m) => [m.name, m.member]),
  ];
}

const features = new FeatureSet(FEATURES);
const at = Date.parse("2026-11-30T10:17:42.123Z");

describe("ReadArgsEncoder", () => {
  it("writes the read script's JSON for every entity of a checkout, at any time", () => {
    const encoder = new ReadArgsEncoder();
    for (const asOf of [at, at + 59_999, at + 86_400_000 + 1, 0]) {
      const plan = features.plan(checkout("ra-1", asOf), asOf);
      expect(plan.entities.some((e) => e.counts.length > 0 && e.distinct.length > 0)).toBe(true);
      const encoded = encoder.encode(plan.entities, asOf);
      expect(JSON.parse(encoded)).toEqual(plan.entities.map((e) => protocol(e, asOf)));
    }
  });

  it("encodes the entities it is given, in that order (one script call per slot group)", () => {
    const plan = features.plan(checkout("ra-2", at), at);
    const picked = [plan.entities[2], plan.entities[0]] as EntityRead[];
    expect(JSON.parse(new ReadArgsEncoder().encode(picked, at))).toEqual(picked.map((e) => protocol(e, at)));
  });

  it("escapes members, and turns lone surrogates (which cjson refuses) into U+FFFD", () => {
    const er: EntityRead = {
      entity: "user",
      id: "u1",
      counts: [],
      distinct: [],
      members: [
        { name: "devices", windowMs: 60_000, member: 'quote " back \\ newline \n é 😀' },
        { name: "ips", windowMs: 60_000, member: "lone \ud800 surrogate" },
      ],
    };
    const encoded = new ReadArgsEncoder().encode([er], at);
    expect(encoded).not.toMatch(/\\ud800/i);
    expect(JSON.parse(encoded)).toEqual([
      [
        [],
        [],
        [
          ["devices", 'quote " back \\ newline \n é 😀'],
          ["ips", "lone \ufffd surrogate"],
        ],
      ],
    ]);
  });
});

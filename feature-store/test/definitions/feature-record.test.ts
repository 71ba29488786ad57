import { describe, expect, it } from "vitest";
import { FEATURES, FeatureSet } from "../../src/definitions/index.ts";

const features = new FeatureSet(FEATURES);
const vector = (values: number[]) => ({ values, missing: [], stale: [] });

describe("FeatureSet.toRecord", () => {
  it("names every value, in feature-set order", () => {
    const values = features.names.map((_, i) => i * 1.5);
    const record = features.toRecord(vector(values));
    expect(Object.keys(record)).toEqual(features.names);
    expect(Object.values(record)).toEqual(values);
    // The decision log's JSON carries the same keys in the same order.
    expect(Object.keys(JSON.parse(JSON.stringify(record)))).toEqual(features.names);
  });

  it("returns a new record each call: changing one leaves the next untouched", () => {
    const first = features.toRecord(vector(features.names.map(() => 1)));
    const name = features.names[0] as string;
    first[name] = 42;
    const second = features.toRecord(vector(features.names.map(() => 2)));
    expect(second[name]).toBe(2);
    expect(first[name]).toBe(42);
  });
});

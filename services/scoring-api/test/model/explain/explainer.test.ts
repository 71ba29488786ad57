import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TreeExplainer } from "../../../src/model/explain/explainer.ts";
import {
  LightGbmModelError,
  parseLightGbmText,
  predictRaw,
} from "../../../src/model/explain/lightgbm-text.ts";
import { tinyModelText } from "./tiny-model.ts";

async function withModelDir<T>(text: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "riskgate-explain-"));
  try {
    await writeFile(join(dir, "lightgbm_model.txt"), text);
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("TreeExplainer.load", () => {
  it("loads a model whose feature names are the manifest's", async () => {
    const e = await withModelDir(tinyModelText(), (dir) => TreeExplainer.load(dir, ["a", "b", "c"]));
    expect(e.topPositive([0, 1, 5]).map((r) => r.feature)).toEqual(["b", "c", "a"]);
  });

  it("refuses a model whose feature names differ from the manifest", async () => {
    const text = tinyModelText({ featureNames: "a b d" });
    await withModelDir(text, async (dir) => {
      await expect(TreeExplainer.load(dir, ["a", "b", "c"])).rejects.toThrow(
        /feature 2 is "d" but the manifest says "c"/,
      );
      await expect(TreeExplainer.load(dir, ["a", "b", "c"])).rejects.toBeInstanceOf(LightGbmModelError);
    });
  });

  it("refuses a model with another number of features", async () => {
    await withModelDir(tinyModelText(), async (dir) => {
      await expect(TreeExplainer.load(dir, ["a", "b"])).rejects.toThrow(
        /has 3 features but the manifest lists 2/,
      );
    });
  });

  it("refuses categorical splits instead of mis-explaining them", () => {
    expect(() => parseLightGbmText(tinyModelText({ decisionType0: "2 1 2" }))).toThrow(/categorical split/);
    expect(() => parseLightGbmText(tinyModelText({ numCat: 1 }))).toThrow(/categorical splits/);
  });

  it("refuses a malformed tree", () => {
    expect(() =>
      parseLightGbmText(tinyModelText().replace("leaf_count=30 10 25 35", "leaf_count=30 10")),
    ).toThrow(/Tree=0: leaf_count has 2 values, expected 4/);
    expect(() =>
      parseLightGbmText(tinyModelText().replace("left_child=1 -1 -3", "left_child=1 -1 -1")),
    ).toThrow(/reached twice/);
    expect(() => parseLightGbmText("hello")).toThrow(/not a LightGBM text model/);
  });
});

describe("TreeExplainer.explain", () => {
  const explainer = TreeExplainer.fromModel(parseLightGbmText(tinyModelText()), ["a", "b", "c"]);

  it("returns contributions and bias that add up to the raw score", () => {
    const { contributions, bias } = explainer.explain([0, 1, 5]);
    expect([...contributions].reduce((s, c) => s + c, bias)).toBeCloseTo(0.3, 14);
  });

  it("walks the trees in float32, as the ONNX model does", () => {
    // Tree 1 splits on a <= 0.3 (float64). fround(0.3) = 0.30000001192...: LightGBM in float64
    // sends it right, ONNX (float32 input vs float32 threshold 0.30000001192...) sends it left.
    const x = [Math.fround(0.3), 1, 5];
    const float64 = predictRaw(parseLightGbmText(tinyModelText()), x);
    expect(float64).toBeCloseTo(0.1 + 0.15, 14);
    expect(explainer.predictRaw(x)).toBeCloseTo(0.1 + 0.2, 14);
    // A float64 input is rounded first: 0.3 behaves like fround(0.3).
    expect(explainer.predictRaw([0.3, 1, 5])).toBe(explainer.predictRaw(x));
    const { contributions, bias } = explainer.explain([0.3, 1, 5]);
    expect([...contributions].reduce((s, c) => s + c, bias)).toBeCloseTo(0.3, 14);
  });

  it("topPositive keeps only positive contributions, largest first, at most k", () => {
    expect(explainer.topPositive([0, 1, 5], 2)).toEqual([
      { feature: "b", contribution: expect.closeTo(0.11375, 12), value: 1 },
      { feature: "c", contribution: expect.closeTo(0.03125, 12), value: 5 },
    ]);
    // A row with a mix of signs: only the positive ones, in order.
    // a = 1, b = 3, c = 15: a pushes up (~0.106), b and c push down.
    expect(explainer.topPositive([1, 3, 15]).map((r) => r.feature)).toEqual(["a"]);
    expect(explainer.topPositive([1, 1, 15], 5).map((r) => r.feature)).toEqual(["b", "a"]);
  });

  it("rejects a row of the wrong width", () => {
    expect(() => explainer.explain([1, 2])).toThrow(/expected 3 features, got 2/);
  });
});

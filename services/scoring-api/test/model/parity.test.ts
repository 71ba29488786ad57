import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FEATURES, FeatureSet } from "@riskgate/feature-store/definitions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calibrate } from "../../src/model/calibration.ts";
import { championDir } from "../../src/model/champion.ts";
import { loadManifest, type Manifest, ModelLoadError } from "../../src/model/manifest.ts";
import { OnnxModel } from "../../src/model/onnx-model.ts";

interface ParityRow {
  event_id: string;
  features: number[];
  raw: number;
  onnx_raw: number;
  calibrated: number;
  contrib: number[];
}

const features = new FeatureSet(FEATURES);
let dir: string;
let manifest: Manifest;
let model: OnnxModel;
let rows: ParityRow[];

beforeAll(async () => {
  dir = await championDir("models/artifacts/champion.json");
  manifest = await loadManifest(dir, features);
  model = await OnnxModel.load(dir, manifest);
  rows = (await readFile(join(dir, "parity.jsonl"), "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as ParityRow);
});
afterAll(async () => {
  await model?.close();
});

describe("the committed champion model", () => {
  it("was trained on the feature set this code computes", () => {
    expect(manifest.feature_set).toBe(features.version);
    expect(manifest.features).toEqual(features.names);
  });

  it("reproduces the Python pipeline's calibrated probabilities within 1e-5 on every parity row", async () => {
    expect(rows.length).toBeGreaterThan(1000);
    const predictions = await model.predict(rows.map((r) => r.features));
    let worst = 0;
    predictions.forEach((p, i) => {
      const row = rows[i] as ParityRow;
      expect(Math.abs(p.raw - row.onnx_raw)).toBeLessThan(1e-6);
      worst = Math.max(worst, Math.abs(p.calibrated - row.calibrated));
    });
    expect(worst).toBeLessThan(1e-5);
    // The rows must span the score range, or matching them would prove little.
    const calibrated = rows.map((r) => r.calibrated);
    expect(Math.max(...calibrated)).toBeGreaterThan(0.5);
    expect(Math.min(...calibrated)).toBeLessThan(0.01);
  });

  it("scores one row at a time the same as in a batch", async () => {
    const sample = rows.slice(0, 20);
    const batch = await model.predict(sample.map((r) => r.features));
    for (const [i, r] of sample.entries()) {
      const [single] = await model.predict([r.features]);
      expect(single?.calibrated).toBe(batch[i]?.calibrated);
    }
  });
});

describe("calibration", () => {
  it("interpolates isotonic knots like numpy.interp and clips at the ends", () => {
    const c = { method: "isotonic" as const, x: [0.1, 0.2, 0.4], y: [0.0, 0.5, 0.7] };
    expect(calibrate(c, 0.05)).toBe(0);
    expect(calibrate(c, 0.15)).toBeCloseTo(0.25, 12);
    expect(calibrate(c, 0.3)).toBeCloseTo(0.6, 12);
    expect(calibrate(c, 0.2)).toBe(0.5);
    expect(calibrate(c, 0.9)).toBe(0.7);
  });

  it("applies Platt scaling on clipped log-odds", () => {
    const c = { method: "platt" as const, a: 1, b: 0, eps: 1e-7 };
    expect(calibrate(c, 0.3)).toBeCloseTo(0.3, 12);
    expect(calibrate({ ...c, a: 2 }, 0.5)).toBeCloseTo(0.5, 12);
    expect(calibrate(c, 0)).toBeCloseTo(1e-7, 12);
  });

  it("keeps every calibrated probability inside the manifest's floor and cap", () => {
    const platt = { method: "platt" as const, a: 1, b: 0, eps: 1e-7, floor: 1e-5, cap: 0.995 };
    expect(calibrate(platt, 0)).toBe(1e-5);
    expect(calibrate(platt, 1)).toBe(0.995);
    expect(calibrate(platt, 0.3)).toBeCloseTo(0.3, 12);
    const iso = {
      method: "isotonic" as const,
      x: [0.1, 0.2, 0.4],
      y: [0.001, 0.5, 0.7],
      floor: 0.01,
      cap: 0.6,
    };
    expect(calibrate(iso, 0.05)).toBe(0.01);
    expect(calibrate(iso, 0.15)).toBeCloseTo(0.2505, 12);
    expect(calibrate(iso, 0.3)).toBe(0.6);
  });
});

describe("skew guard", () => {
  let copy: string;
  beforeAll(async () => {
    copy = await mkdtemp(join(tmpdir(), "rg-model-"));
    await cp(dir, copy, { recursive: true });
  });
  afterAll(async () => {
    await rm(copy, { recursive: true, force: true });
  });

  it("refuses a model trained on another feature set, saying why", async () => {
    const other = { version: "0000000000000000", names: features.names };
    const err = await loadManifest(copy, other).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).code).toBe("feature_set_mismatch");
    expect((err as Error).message).toContain("retrain");
  });

  it("refuses a manifest whose features are in another order", async () => {
    const m = JSON.parse(await readFile(join(copy, "manifest.json"), "utf8"));
    m.features = [...m.features].reverse();
    await writeFile(join(copy, "manifest.json"), JSON.stringify(m));
    const err = await loadManifest(copy, features).catch((e: unknown) => e);
    expect((err as ModelLoadError).code).toBe("feature_order_mismatch");
  });

  it("refuses a manifest without calibration", async () => {
    const m = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8"));
    delete m.calibration;
    await writeFile(join(copy, "manifest.json"), JSON.stringify(m));
    const err = await loadManifest(copy, features).catch((e: unknown) => e);
    expect((err as ModelLoadError).code).toBe("manifest_invalid");
  });
});

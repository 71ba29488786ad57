import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "@riskgate/common/errors";
import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";

const Calibration = Type.Union([
  Type.Object({
    method: Type.Literal("isotonic"),
    x: Type.Array(Type.Number(), { minItems: 2 }),
    y: Type.Array(Type.Number(), { minItems: 2 }),
  }),
  Type.Object({ method: Type.Literal("platt"), a: Type.Number(), b: Type.Number(), eps: Type.Number() }),
]);
export type Calibration = Static<typeof Calibration>;

/** The part of models/training's manifest.json the service relies on; the rest is carried along. */
export const Manifest = Type.Object({
  name: Type.String({ minLength: 1 }),
  version: Type.String({ minLength: 1 }),
  features: Type.Array(Type.String(), { minItems: 1 }),
  feature_set: Type.String({ minLength: 1 }),
  onnx: Type.Object({
    file: Type.String(),
    input_name: Type.String(),
    output_name: Type.String(),
    fraud_index: Type.Integer({ minimum: 0 }),
  }),
  calibration: Calibration,
  thresholds: Type.Object({ review: Type.Number(), block: Type.Number() }),
  review_capacity_per_day: Type.Number(),
});
export type Manifest = Static<typeof Manifest>;

const checker = TypeCompiler.Compile(Manifest);

export class ModelLoadError extends AppError {
  constructor(code: "manifest_invalid" | "feature_set_mismatch" | "feature_order_mismatch", message: string) {
    super(code, message);
    this.name = "ModelLoadError";
  }
}

/**
 * Reads and checks a model's manifest against the running feature definitions. A model trained on
 * other features (another feature-set hash, or the same names in another order) would score
 * garbage silently, so it is refused loudly: the training/serving skew guard.
 */
export async function loadManifest(
  dir: string,
  running: { version: string; names: readonly string[] },
): Promise<Manifest> {
  const raw: unknown = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8"));
  if (!checker.Check(raw)) {
    const e = checker.Errors(raw).First();
    throw new ModelLoadError(
      "manifest_invalid",
      `${dir}/manifest.json: ${e?.path || "/"} ${e?.message ?? ""}`,
    );
  }
  const m = raw as Manifest;
  if (m.feature_set !== running.version) {
    throw new ModelLoadError(
      "feature_set_mismatch",
      `model ${m.name}/${m.version} was trained on feature set ${m.feature_set}, but this service computes ` +
        `feature set ${running.version}: retrain on a backfill made with the current definitions`,
    );
  }
  if (m.features.length !== running.names.length || m.features.some((f, i) => f !== running.names[i])) {
    throw new ModelLoadError(
      "feature_order_mismatch",
      `model ${m.name}/${m.version} lists its features in a different order than the running definitions`,
    );
  }
  return m;
}

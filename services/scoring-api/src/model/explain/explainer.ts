import { join } from "node:path";
import { FastTreeShap } from "./fast-tree-shap.ts";
import {
  type LgbModel,
  LightGbmModelError,
  loadLightGbmText,
  predictRaw,
  withFloat32Thresholds,
} from "./lightgbm-text.ts";

export const LIGHTGBM_MODEL_FILE = "lightgbm_model.txt";

export interface Explanation {
  /** One SHAP value per feature (manifest order), in log-odds of the raw model output. */
  contributions: Float64Array;
  /** Expected raw log-odds over the training data; bias + sum(contributions) = the row's log-odds. */
  bias: number;
}

export interface Reason {
  feature: string;
  contribution: number;
  /** The value the model saw (float32-rounded, see `explain`). */
  value: number;
}

/**
 * Reason codes from the served model itself: exact TreeSHAP over the LightGBM booster that
 * model.onnx was exported from (the text dump carries the node counts ONNX drops).
 */
export class TreeExplainer {
  private readonly shap: FastTreeShap;
  /** Scratch row reused across calls; explain() is synchronous, so no two calls share it. */
  private readonly row: Float64Array;

  /** The trees as ONNX evaluates them (float32 thresholds); see `explain` for why. */
  readonly model: LgbModel;
  readonly featureNames: readonly string[];

  private constructor(parsed: LgbModel, featureNames: readonly string[]) {
    this.featureNames = featureNames;
    this.model = withFloat32Thresholds(parsed);
    this.shap = new FastTreeShap(this.model);
    this.row = new Float64Array(featureNames.length);
  }

  /**
   * Loads `<artifactDir>/lightgbm_model.txt` and refuses it unless its `feature_names=` are the
   * manifest's features, same order: contributions are reported by position, so a reordered or
   * different model would blame the wrong features without any other symptom.
   */
  static async load(artifactDir: string, featureNames: readonly string[]): Promise<TreeExplainer> {
    const path = join(artifactDir, LIGHTGBM_MODEL_FILE);
    const model = await loadLightGbmText(path);
    return TreeExplainer.fromModel(model, featureNames, path);
  }

  static fromModel(
    model: LgbModel,
    featureNames: readonly string[],
    source = "LightGBM model",
  ): TreeExplainer {
    const got = model.featureNames;
    if (got.length !== featureNames.length) {
      throw new LightGbmModelError(
        "lightgbm_feature_mismatch",
        `${source} has ${got.length} features but the manifest lists ${featureNames.length}`,
      );
    }
    const i = got.findIndex((name, j) => name !== featureNames[j]);
    if (i >= 0) {
      throw new LightGbmModelError(
        "lightgbm_feature_mismatch",
        `${source} feature ${i} is "${got[i]}" but the manifest says "${featureNames[i]}": ` +
          "the text model and model.onnx are not from the same training run",
      );
    }
    if (!model.objective.startsWith("binary"))
      throw new LightGbmModelError(
        "lightgbm_model_unsupported",
        `${source}: objective "${model.objective}"; reason codes are defined for binary log-odds`,
      );
    return new TreeExplainer(model, featureNames);
  }

  /**
   * SHAP values of the raw log-odds for one row of features in manifest order.
   *
   * Inputs are rounded to float32 first (Math.fround), and the trees use float32 thresholds,
   * because that is what the served model compares: the ONNX graph takes a float32 tensor, so
   * 0.1 reaches the trees as 0.100000001490116. Walking the trees in float64 would now and then
   * take the other branch at a split whose threshold lies between the two roundings and explain
   * a score the service never produced. Consequence: on the rare rows where float32 rounding
   * flips a split, these values differ from LightGBM's pred_contrib on float64 features (the
   * training-side number) and agree with the ONNX score instead; see README.md.
   */
  explain(features: readonly number[]): Explanation {
    const contributions = new Float64Array(this.featureNames.length);
    this.explainInto(features, contributions);
    return { contributions, bias: this.shap.bias };
  }

  /** explain() into a caller-owned buffer: no allocation at all (bench, batch jobs). */
  explainInto(features: ArrayLike<number>, out: Float64Array): void {
    this.shap.shap(this.float32Row(features), out);
  }

  get bias(): number {
    return this.shap.bias;
  }

  /** Raw log-odds of the served model for this row (= bias + sum of contributions); a parse check. */
  predictRaw(features: ArrayLike<number>): number {
    return predictRaw(this.model, this.float32Row(features));
  }

  /** The input as the ONNX graph sees it, in the reused scratch row. */
  private float32Row(features: ArrayLike<number>): Float64Array {
    const n = this.featureNames.length;
    if (features.length !== n) throw new Error(`expected ${n} features, got ${features.length}`);
    const row = this.row;
    for (let i = 0; i < n; i++) row[i] = Math.fround(features[i] as number);
    return row;
  }

  /**
   * The k features that pushed this score up the most: positive contributions only, largest
   * first (ties by feature order, so the answer is deterministic). Fewer than k when fewer
   * features pushed up; empty for a row every feature pushed down.
   */
  topPositive(features: readonly number[], k = 3): Reason[] {
    const { contributions } = this.explain(features);
    const idx: number[] = [];
    contributions.forEach((c, i) => {
      if (c > 0) idx.push(i);
    });
    idx.sort((a, b) => (contributions[b] as number) - (contributions[a] as number) || a - b);
    return idx.slice(0, Math.max(0, k)).map((i) => ({
      feature: this.featureNames[i] as string,
      contribution: contributions[i] as number,
      value: Math.fround(features[i] as number),
    }));
  }
}

import type { Contribution, PolicyCosts, ScoringModel } from "../decision/types.ts";
import { TreeExplainer } from "./explain/explainer.ts";
import { loadManifest, type Monitoring } from "./manifest.ts";
import { OnnxModel } from "./onnx-model.ts";

/**
 * A model version ready to serve: manifest checked against the running feature set (skew guard),
 * ONNX session warmed, explainer loaded from the same artifact.
 */
export class LoadedModel implements ScoringModel {
  private readonly onnx: OnnxModel;
  private readonly explainer: TreeExplainer;
  readonly dir: string;
  readonly policy: PolicyCosts;

  private constructor(onnx: OnnxModel, explainer: TreeExplainer, dir: string) {
    this.onnx = onnx;
    this.explainer = explainer;
    this.dir = dir;
    const p = onnx.manifest.policy;
    this.policy = {
      chargebackFeeEur: p.chargeback_fee_eur,
      reviewCostEur: p.review_cost_eur,
      declineCostEur: p.decline_cost_eur,
      reviewMinExpectedLossEur: p.review_min_expected_loss_eur,
    };
  }

  static async load(
    dir: string,
    running: { version: string; names: readonly string[] },
  ): Promise<LoadedModel> {
    const manifest = await loadManifest(dir, running);
    const onnx = await OnnxModel.load(dir, manifest);
    const explainer = await TreeExplainer.load(dir, manifest.features);
    await onnx.warm();
    // TreeSHAP walks every tree: compile its hot loop before the first review or block needs it.
    const zeros = new Array<number>(manifest.features.length).fill(0);
    for (let i = 0; i < 50; i++) explainer.topPositive(zeros, 3);
    return new LoadedModel(onnx, explainer, dir);
  }

  get name() {
    return this.onnx.manifest.name;
  }

  get version() {
    return this.onnx.manifest.version;
  }

  get reviewCapacityPerDay(): number {
    return this.onnx.manifest.policy.review_capacity_per_day;
  }

  /** The training distributions drift is measured against; undefined for a model without them. */
  get monitoring(): Monitoring | undefined {
    return this.onnx.manifest.monitoring;
  }

  async predict(features: readonly number[]) {
    const [p] = await this.onnx.predict([features]);
    if (!p) throw new Error("the model returned no prediction");
    return p;
  }

  topReasons(features: readonly number[], k: number): Contribution[] {
    return this.explainer.topPositive(features, k);
  }

  close(): Promise<void> {
    return this.onnx.close();
  }
}

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "@riskgate/common/errors";
import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";

// floor/cap: every calibrated p is kept inside them (absent in the manifest converted from schema 1).
const Bounds = {
  floor: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  cap: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
};
const Calibration = Type.Union([
  Type.Object({
    method: Type.Literal("isotonic"),
    x: Type.Array(Type.Number(), { minItems: 2 }),
    y: Type.Array(Type.Number(), { minItems: 2 }),
    ...Bounds,
  }),
  Type.Object({
    method: Type.Literal("platt"),
    a: Type.Number(),
    b: Type.Number(),
    eps: Type.Number(),
    ...Bounds,
  }),
]);
export type Calibration = Static<typeof Calibration>;

const Eur = Type.Number({ minimum: 0 });

/** The cost model the service decides with (decision/policy.ts); training fits the same numbers. */
const Policy = Type.Object({
  kind: Type.Literal("expected_loss"),
  currency: Type.Literal("EUR"),
  chargeback_fee_eur: Eur,
  review_cost_eur: Eur,
  decline_cost_eur: Type.Number({ exclusiveMinimum: 0 }),
  median_amount_eur: Type.Number({ exclusiveMinimum: 0 }),
  fn_over_fp_at_median: Type.Number({ exclusiveMinimum: 0 }),
  review_min_expected_loss_eur: Eur,
  review_capacity_per_day: Type.Integer({ minimum: 0 }),
  rule: Type.String({ minLength: 1 }),
});
export type ManifestPolicy = Static<typeof Policy>;

const Iso = Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}T" });
const Labels = Type.Object({
  cutoff: Iso,
  maturity_days: Type.Number({ minimum: 0 }),
  gap_days: Type.Number({ minimum: 0 }),
  known_as_of: Type.Object({ train: Iso, valid: Iso, test: Iso }),
});

/**
 * Training distribution of one quantity: `edges` are the ascending interior cut points, so there
 * are edges.length + 1 bins and a value x falls in bin i = the number of edges <= x
 * (numpy.searchsorted(edges, x, side="right")).
 */
const Distribution = Type.Object({
  edges: Type.Array(Type.Number()),
  train_share: Type.Array(Type.Number({ minimum: 0, maximum: 1 }), { minItems: 1 }),
});
export type Distribution = Static<typeof Distribution>;

const Monitoring = Type.Object({
  features: Type.Record(
    Type.String(),
    Type.Composite([
      Distribution,
      Type.Object({ default_value: Type.Number(), default_share: Type.Number({ minimum: 0, maximum: 1 }) }),
    ]),
  ),
  score: Distribution,
});
export type Monitoring = Static<typeof Monitoring>;

/** The part of models/training's manifest.json (schema 2) the service relies on; the rest is carried along. */
export const Manifest = Type.Object({
  schema_version: Type.Literal(2),
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
  policy: Policy,
  labels: Labels,
  /** Absent on a model converted from schema 1: drift metrics then report "no reference". */
  monitoring: Type.Optional(Monitoring),
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
  const invalid = (path: string, message: string) =>
    new ModelLoadError("manifest_invalid", `${dir}/manifest.json: ${path} ${message}`);
  if (!checker.Check(raw)) {
    const e = checker.Errors(raw).First();
    throw invalid(e?.path || "/", e?.message ?? "");
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
  if (m.policy.review_min_expected_loss_eur < m.policy.review_cost_eur) {
    throw invalid(
      "/policy/review_min_expected_loss_eur",
      "must be at least review_cost_eur: a review must not cost more than the loss it prevents",
    );
  }
  const problem = m.monitoring ? monitoringProblem(m.monitoring, m.features) : undefined;
  if (problem) throw invalid(problem.path, problem.message);
  return m;
}

function monitoringProblem(
  mon: Monitoring,
  features: readonly string[],
): { path: string; message: string } | undefined {
  const entries: [string, Distribution][] = [
    ...Object.entries(mon.features).map(([f, d]): [string, Distribution] => [`/monitoring/features/${f}`, d]),
    ["/monitoring/score", mon.score],
  ];
  for (const f of Object.keys(mon.features)) {
    if (!features.includes(f))
      return { path: `/monitoring/features/${f}`, message: "is not a model feature" };
  }
  for (const [path, d] of entries) {
    if (d.train_share.length !== d.edges.length + 1)
      return { path, message: "train_share needs one share per bin (edges.length + 1)" };
    if (d.edges.some((e, i) => i > 0 && e <= (d.edges[i - 1] as number)))
      return { path, message: "edges must be strictly ascending" };
    const sum = d.train_share.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > 1e-3) return { path, message: `train_share sums to ${sum}, not 1` };
  }
  return undefined;
}

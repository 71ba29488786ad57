/**
 * A hand-made LightGBM v4 text model: 3 features, 2 trees of depth 2, with counts that add up.
 *   Tree 0: a <= 0.5 ? (b <= 1.5 ? 0.1 : -0.2) : (b <= 2.5 ? 0.4 : 0.05)    leaf counts 30 10 25 35
 *   Tree 1: a <= 0.3 ? (a <= -1 ? -0.3 : 0.2) : (c <= 10 ? 0.15 : -0.1)     leaf counts 20 15 40 25
 * Tree 1 splits twice on `a` along one path (TreeSHAP's "unwind" case); its `c` split has
 * missing type NaN with default left (decision_type 2 | 2 << 2 = 10).
 */
export function tinyModelText(
  opts: { featureNames?: string; decisionType0?: string; numCat?: number; extraTree?: string } = {},
): string {
  const tree = (i: number, body: string) => `Tree=${i}\n${body.trim()}\n`;
  return [
    "tree",
    "version=v4",
    "num_class=1",
    "num_tree_per_iteration=1",
    "label_index=0",
    "max_feature_idx=2",
    "objective=binary sigmoid:1",
    `feature_names=${opts.featureNames ?? "a b c"}`,
    "feature_infos=[-2:2] [0:4] [0:20]",
    "tree_sizes=1 1",
    "",
    tree(
      0,
      `
num_leaves=4
num_cat=${opts.numCat ?? 0}
split_feature=0 1 1
split_gain=1 1 1
threshold=0.5 1.5 2.5
decision_type=${opts.decisionType0 ?? "2 2 2"}
left_child=1 -1 -3
right_child=2 -2 -4
leaf_value=0.1 -0.2 0.4 0.05
leaf_weight=1 1 1 1
leaf_count=30 10 25 35
internal_value=0 0 0
internal_weight=1 1 1
internal_count=100 40 60
is_linear=0
shrinkage=1`,
    ),
    tree(
      1,
      `
num_leaves=4
num_cat=0
split_feature=0 0 2
split_gain=1 1 1
threshold=0.29999999999999999 -1 10
decision_type=2 2 10
left_child=1 -1 -3
right_child=2 -2 -4
leaf_value=-0.3 0.2 0.15 -0.1
leaf_weight=1 1 1 1
leaf_count=20 15 40 25
internal_value=0 0 0
internal_weight=1 1 1
internal_count=100 35 65
is_linear=0
shrinkage=0.1`,
    ),
    opts.extraTree ?? "",
    "end of trees",
    "",
    "feature_importances:",
    "a=3",
    "",
    "parameters:",
    "[boosting: gbdt]",
    "end of parameters",
    "",
  ].join("\n");
}

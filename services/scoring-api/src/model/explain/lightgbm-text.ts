import { readFile } from "node:fs/promises";
import { AppError } from "@riskgate/common/errors";

/**
 * Parser for LightGBM's native text model (`Booster.save_model`, "version=v4"). The ONNX export
 * has no node cover counts, so exact TreeSHAP has to walk these trees instead; the parse is
 * checked by `predictRaw`, which must reproduce the ONNX/LightGBM log-odds.
 *
 * Node numbering is LightGBM's: internal nodes are 0..numLeaves-2 (root 0); a child index < 0
 * is a leaf, leaf number `~child`.
 */
export interface LgbTree {
  readonly numLeaves: number;
  /** Per internal node: the real (input) feature index. */
  readonly splitFeature: Int32Array;
  /** Per internal node: as written (float64), or float32-rounded by `withFloat32Thresholds`. */
  readonly threshold: Float64Array;
  /** Per internal node: LightGBM decision_type bits (1 categorical, 2 default_left, 12 missing type). */
  readonly decisionType: Uint8Array;
  readonly leftChild: Int32Array;
  readonly rightChild: Int32Array;
  /** Per leaf: the output, shrinkage already applied (LightGBM writes scaled values). */
  readonly leafValue: Float64Array;
  /** Training rows that reached each node / leaf: TreeSHAP's "cover" (LightGBM uses counts, not hessians). */
  readonly internalCount: Float64Array;
  readonly leafCount: Float64Array;
  /** Longest root-to-leaf path in edges (0 for a single-leaf tree). */
  readonly depth: number;
}

export interface LgbModel {
  readonly featureNames: readonly string[];
  readonly objective: string;
  readonly trees: readonly LgbTree[];
  readonly maxDepth: number;
}

export class LightGbmModelError extends AppError {
  constructor(
    code: "lightgbm_model_invalid" | "lightgbm_model_unsupported" | "lightgbm_feature_mismatch",
    message: string,
  ) {
    super(code, message);
    this.name = "LightGbmModelError";
  }
}

const CATEGORICAL_MASK = 1;
const DEFAULT_LEFT_MASK = 2;
const MISSING_NONE = 0;
const MISSING_ZERO = 1;
const MISSING_NAN = 2;
/** LightGBM's kZeroThreshold (1e-35f): values this close to 0 count as zero for missing_type=Zero. */
export const ZERO_THRESHOLD = Math.fround(1e-35);

/**
 * LightGBM's Tree::NumericalDecision: true = go left. Kept branch-for-branch identical so the
 * SHAP hot path is the path the booster takes.
 */
export function goesLeft(decisionType: number, threshold: number, value: number): boolean {
  const missingType = (decisionType >> 2) & 3;
  let v = value;
  // missing_type None/Zero: NaN is treated as 0 (LightGBM does this before looking at defaults).
  if (Number.isNaN(v) && missingType !== MISSING_NAN) v = 0;
  if (
    (missingType === MISSING_ZERO && v >= -ZERO_THRESHOLD && v <= ZERO_THRESHOLD) ||
    (missingType === MISSING_NAN && Number.isNaN(v))
  ) {
    return (decisionType & DEFAULT_LEFT_MASK) !== 0;
  }
  return v <= threshold;
}

/**
 * The same trees with every threshold rounded to float32, i.e. the model model.onnx serves:
 * onnxmltools writes thresholds into the float `nodes_values` attribute and onnxruntime compares
 * the float32 input against them. With float64 thresholds a float32 input equal to a rounded-up
 * threshold goes right where ONNX goes left (measured on the committed parity rows: |p - onnx| up
 * to 2.3e-4 with float64 thresholds, 4.3e-7 = float32 output precision with these).
 */
export function withFloat32Thresholds(model: LgbModel): LgbModel {
  return { ...model, trees: model.trees.map((t) => ({ ...t, threshold: t.threshold.map(Math.fround) })) };
}

/** Leaf number reached by `x` (already in the precision the caller wants compared). */
export function leafIndex(tree: LgbTree, x: ArrayLike<number>): number {
  if (tree.numLeaves === 1) return 0;
  let node = 0;
  while (node >= 0) {
    const v = x[tree.splitFeature[node] as number] as number;
    node = goesLeft(tree.decisionType[node] as number, tree.threshold[node] as number, v)
      ? (tree.leftChild[node] as number)
      : (tree.rightChild[node] as number);
  }
  return ~node;
}

/** Sum of leaf values over all trees: the raw score (log-odds for `binary`), as LightGBM's raw_score. */
export function predictRaw(model: LgbModel, x: ArrayLike<number>): number {
  let sum = 0;
  for (const tree of model.trees) sum += tree.leafValue[leafIndex(tree, x)] as number;
  return sum;
}

export async function loadLightGbmText(path: string): Promise<LgbModel> {
  const text = await readFile(path, "utf8");
  try {
    return parseLightGbmText(text);
  } catch (e) {
    if (e instanceof LightGbmModelError) e.message = `${path}: ${e.message}`;
    throw e;
  }
}

export function parseLightGbmText(text: string): LgbModel {
  const lines = text.split(/\r?\n/);
  const end = lines.indexOf("end of trees");
  const body = end >= 0 ? lines.slice(0, end) : lines;
  // Blocks are separated by blank lines: the header first, then one block per "Tree=i".
  const blocks: Map<string, string>[] = [];
  let current = new Map<string, string>();
  for (const line of body) {
    if (line.trim() === "") {
      if (current.size > 0) blocks.push(current);
      current = new Map();
      continue;
    }
    const eq = line.indexOf("=");
    // Lines without "=" ("tree", flags) carry nothing we need.
    if (eq > 0) current.set(line.slice(0, eq), line.slice(eq + 1));
  }
  if (current.size > 0) blocks.push(current);

  const header = blocks.find((b) => !b.has("Tree"));
  if (!header?.has("feature_names")) invalid("no header with feature_names= (not a LightGBM text model?)");
  const version = header.get("version");
  if (version !== "v4") unsupported(`model format version=${version ?? "?"}; this parser reads v4`);
  const numClass = Number(header.get("num_class") ?? "1");
  const perIteration = Number(header.get("num_tree_per_iteration") ?? "1");
  if (numClass !== 1 || perIteration !== 1)
    unsupported(`num_class=${numClass}, num_tree_per_iteration=${perIteration}: only single-output models`);
  // Random-forest mode averages trees instead of summing them; SHAP would need scaling by 1/T.
  if (header.has("average_output")) unsupported("average_output (random forest mode)");

  const featureNames = (header.get("feature_names") as string).split(" ").filter((s) => s.length > 0);
  const maxFeatureIdx = Number(header.get("max_feature_idx"));
  if (maxFeatureIdx + 1 !== featureNames.length)
    invalid(`max_feature_idx=${maxFeatureIdx} but ${featureNames.length} feature_names`);

  const treeBlocks = blocks.filter((b) => b.has("Tree"));
  if (treeBlocks.length === 0) invalid("no Tree= blocks");
  const trees = treeBlocks.map((b, i) => {
    if (Number(b.get("Tree")) !== i) invalid(`tree blocks out of order at Tree=${b.get("Tree")}`);
    return parseTree(b, i, featureNames.length);
  });
  return {
    featureNames,
    objective: header.get("objective") ?? "",
    trees,
    maxDepth: trees.reduce((m, t) => Math.max(m, t.depth), 0),
  };
}

function parseTree(b: Map<string, string>, index: number, numFeatures: number): LgbTree {
  const where = `Tree=${index}`;
  const numLeaves = int(b, "num_leaves", where);
  if (numLeaves < 1) invalid(`${where}: num_leaves=${numLeaves}`);
  if (int(b, "num_cat", where, 0) > 0)
    unsupported(`${where} has categorical splits; explaining them is not implemented`);
  if (b.get("is_linear") === "1")
    unsupported(`${where} is a linear tree; TreeSHAP here assumes constant leaves`);

  const leafValue = Float64Array.from(nums(b, "leaf_value", numLeaves, where));
  if (numLeaves === 1) {
    // A stump: LightGBM writes no split arrays and no counts; it contributes only to the bias.
    const empty = new Int32Array(0);
    return {
      numLeaves,
      splitFeature: empty,
      threshold: new Float64Array(0),
      decisionType: new Uint8Array(0),
      leftChild: empty,
      rightChild: empty,
      leafValue,
      internalCount: new Float64Array(0),
      leafCount: Float64Array.of(1),
      depth: 0,
    };
  }
  const n = numLeaves - 1;
  const splitFeature = Int32Array.from(nums(b, "split_feature", n, where));
  const decisionType = Uint8Array.from(nums(b, "decision_type", n, where));
  const tree: LgbTree = {
    numLeaves,
    splitFeature,
    threshold: Float64Array.from(nums(b, "threshold", n, where)),
    decisionType,
    leftChild: Int32Array.from(nums(b, "left_child", n, where)),
    rightChild: Int32Array.from(nums(b, "right_child", n, where)),
    leafValue,
    internalCount: Float64Array.from(nums(b, "internal_count", n, where)),
    leafCount: Float64Array.from(nums(b, "leaf_count", numLeaves, where)),
    depth: 0,
  };
  for (let i = 0; i < n; i++) {
    if ((decisionType[i] as number) & CATEGORICAL_MASK)
      unsupported(`${where} node ${i} is a categorical split; explaining it is not implemented`);
    const missingType = ((decisionType[i] as number) >> 2) & 3;
    if (missingType !== MISSING_NONE && missingType !== MISSING_ZERO && missingType !== MISSING_NAN)
      invalid(`${where} node ${i}: unknown missing type ${missingType}`);
    const f = splitFeature[i] as number;
    if (f < 0 || f >= numFeatures) invalid(`${where} node ${i}: split_feature ${f} out of range`);
  }
  return { ...tree, depth: checkShape(tree, where) };
}

/**
 * Every internal node and leaf reached exactly once from the root (so the walk terminates and the
 * counts make sense); returns the depth. A corrupt file fails here, not inside the SHAP recursion.
 */
function checkShape(t: LgbTree, where: string): number {
  const n = t.numLeaves - 1;
  const seenNode = new Uint8Array(n);
  const seenLeaf = new Uint8Array(t.numLeaves);
  let depth = 0;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [node, d] = stack.pop() as [number, number];
    if (node < 0) {
      const leaf = ~node;
      if (leaf >= t.numLeaves || seenLeaf[leaf]) invalid(`${where}: leaf ${leaf} bad or reached twice`);
      seenLeaf[leaf] = 1;
      depth = Math.max(depth, d);
      continue;
    }
    if (node >= n || seenNode[node]) invalid(`${where}: node ${node} bad or reached twice`);
    seenNode[node] = 1;
    if (!((t.internalCount[node] as number) > 0)) invalid(`${where}: node ${node} has internal_count 0`);
    stack.push([t.leftChild[node] as number, d + 1], [t.rightChild[node] as number, d + 1]);
  }
  if (seenNode.includes(0) || seenLeaf.includes(0)) invalid(`${where}: unreachable nodes`);
  return depth;
}

function nums(b: Map<string, string>, key: string, expected: number, where: string): number[] {
  const raw = b.get(key);
  if (raw === undefined) invalid(`${where}: missing ${key}=`);
  const out = raw.split(" ").map(Number);
  if (out.length !== expected) invalid(`${where}: ${key} has ${out.length} values, expected ${expected}`);
  // Number("inf") is NaN; LightGBM writes +-inf thresholds only for categorical/odd models.
  if (out.some((v) => Number.isNaN(v))) invalid(`${where}: ${key} has a non-numeric value`);
  return out;
}

function int(b: Map<string, string>, key: string, where: string, fallback?: number): number {
  const raw = b.get(key);
  if (raw === undefined) {
    if (fallback !== undefined) return fallback;
    invalid(`${where}: missing ${key}=`);
  }
  const v = Number(raw);
  if (!Number.isInteger(v)) invalid(`${where}: ${key}=${raw} is not an integer`);
  return v;
}

function invalid(message: string): never {
  throw new LightGbmModelError("lightgbm_model_invalid", message);
}

function unsupported(message: string): never {
  throw new LightGbmModelError("lightgbm_model_unsupported", message);
}

import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Environment, type ParseResult } from "@marcbachmann/cel-js";
import { FEATURES } from "@riskgate/feature-store/definitions";
import { CHECKOUT_TYPE, celFields, FeatureValues, objectTypes, scalarPaths } from "./activation.ts";
import { RulesError } from "./errors.ts";
import { type CompiledLists, compileLists } from "./lists.ts";
import { type Action, type Overflow, parseRulesText, type RuleDoc, type Status } from "./schema.ts";
import { compileTemplate, type Detail } from "./template.ts";

export interface CompiledRule {
  readonly id: string;
  readonly description: string;
  readonly action: Action;
  readonly status: Status;
  /** What the checkout gets when this review rule's review cannot be had (schema.ts). */
  readonly overflow: Overflow;
  readonly code: string;
  readonly condition: string;
  readonly test: ParseResult;
  readonly detail: Detail;
}

/** One immutable, fully checked version of the rules: swapping versions is one reference write. */
export interface CompiledRuleSet {
  readonly version: string;
  /** sha256 (hex) of the file's bytes: tells two edits apart that forgot to bump `version`. */
  readonly hash: string;
  readonly source: string;
  /** Every rule, in file order (paused ones included). */
  readonly rules: readonly CompiledRule[];
  /** Active and shadow rules in evaluation order: allow, then block, then review; file order within. */
  readonly evaluated: readonly CompiledRule[];
  readonly lists: CompiledLists;
  /** Feature name → default, in feature-set order; what a feature missing from the input gets. */
  readonly featureDefaults: ReadonlyMap<string, number>;
}

export interface CompileOptions {
  /** The feature definitions rules may reference; the feature store's by default. */
  readonly features?: readonly { readonly name: string; readonly default: number }[];
  /** Names the file in error messages. */
  readonly source?: string;
  /**
   * Rewrites list entries as they are loaded: identifier lists hold raw identifiers and the
   * checkout holds pseudonyms (identifier-lists.ts). Unset: entries as written.
   */
  readonly listEntry?: (list: string, entry: string) => string;
}

const ORDER: Record<Action, number> = { allow: 0, block: 1, review: 2 };

function buildEnvironment(features: ReadonlyMap<string, number>, lists: CompiledLists): Environment {
  const env = new Environment();
  for (const t of objectTypes(CHECKOUT_TYPE))
    env.registerType(t.celName, { ctor: t.ctor, fields: celFields(t) });
  const featureFields: Record<string, string> = {};
  for (const name of features.keys()) featureFields[name] = "double";
  env.registerType("Features", { ctor: FeatureValues, fields: featureFields });
  env.registerType("Lists", { ctor: lists.ctor, fields: lists.fields });
  env.registerVariable("features", "Features");
  env.registerVariable("checkout", CHECKOUT_TYPE.celName);
  env.registerVariable("lists", "Lists");
  return env;
}

/**
 * Friendlier than the type checker's "No such key" for the two mistakes people make most: a list
 * that the file does not define and a feature name that does not exist.
 */
function unknownReference(rule: RuleDoc, features: ReadonlyMap<string, number>, lists: CompiledLists) {
  for (const m of rule.condition.matchAll(/\blists\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const name = m[1] ?? "";
    if (!(name in lists.fields)) {
      const known = Object.keys(lists.fields).join(", ") || "none";
      return `condition references unknown list 'lists.${name}' (lists in this file: ${known})`;
    }
  }
  for (const m of rule.condition.matchAll(/\bfeatures\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const name = m[1] ?? "";
    if (!features.has(name)) return `condition references unknown feature 'features.${name}'`;
  }
  return undefined;
}

function compileRule(
  rule: RuleDoc,
  env: Environment,
  known: { features: ReadonlyMap<string, number>; lists: CompiledLists; checkoutPaths: ReadonlySet<string> },
  source: string,
): CompiledRule {
  const where = `${source}: rule ${rule.id}`;
  if (rule.overflow !== undefined && rule.action !== "review") {
    throw new RulesError(
      "rules_schema",
      `${where}: /overflow applies to review rules only (this one is ${rule.action})`,
      rule.id,
    );
  }
  const unknown = unknownReference(rule, known.features, known.lists);
  if (unknown) throw new RulesError("rules_cel_type", `${where}: ${unknown}`, rule.id);
  let test: ParseResult;
  try {
    test = env.parse(rule.condition);
  } catch (e) {
    throw new RulesError(
      "rules_cel_syntax",
      `${where}: condition does not parse: ${(e as Error).message}`,
      rule.id,
    );
  }
  const checked = test.check();
  if (!checked.valid) {
    const message = checked.error?.message ?? "invalid";
    // The most common slip: `features.x >= 3` is fine in CEL, `features.x == 3` is not.
    const hint = /overload: (double \S+ int|int \S+ double)/.test(message)
      ? " (features are doubles: write 1.0, not 1)"
      : "";
    throw new RulesError(
      "rules_cel_type",
      `${where}: condition fails type checking${hint}: ${message}`,
      rule.id,
    );
  }
  if (checked.type !== "bool") {
    throw new RulesError(
      "rules_cel_type",
      `${where}: condition must be a bool, it is a ${checked.type}`,
      rule.id,
    );
  }
  const detail = compileTemplate(rule.reason.detail, {
    features: new Set(known.features.keys()),
    checkoutPaths: known.checkoutPaths,
  });
  if (!detail.ok) throw new RulesError("rules_template", `${where}: ${detail.problem}`, rule.id);
  return {
    id: rule.id,
    description: rule.description,
    action: rule.action,
    status: rule.status,
    overflow: rule.overflow ?? "expected_loss",
    code: rule.reason.code,
    condition: rule.condition,
    test,
    detail: detail.render,
  };
}

/** Parses, checks and compiles a rules file's text. Throws RulesError naming the rule and the problem. */
export function compileRuleSet(text: string, opts: CompileOptions = {}): CompiledRuleSet {
  const source = opts.source ?? "rules";
  const doc = parseRulesText(text, source);

  const seen = new Set<string>();
  for (const r of doc.rules) {
    if (seen.has(r.id))
      throw new RulesError("rules_duplicate_id", `${source}: rule ${r.id}: id used twice`, r.id);
    seen.add(r.id);
  }

  const features = new Map((opts.features ?? FEATURES).map((f) => [f.name, f.default]));
  const lists = compileLists(listEntries(doc.lists, opts.listEntry, source));
  const env = buildEnvironment(features, lists);
  const known = { features, lists, checkoutPaths: new Set(scalarPaths(CHECKOUT_TYPE)) };
  // Paused rules are compiled too: un-pausing one later must not be the moment a typo surfaces.
  const rules = doc.rules.map((r) => compileRule(r, env, known, source));
  const evaluated = rules
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.status !== "paused")
    .sort((a, b) => ORDER[a.r.action] - ORDER[b.r.action] || a.i - b.i)
    .map(({ r }) => r);

  return {
    version: doc.version,
    hash: createHash("sha256").update(text).digest("hex"),
    source,
    rules,
    evaluated,
    lists,
    featureDefaults: features,
  };
}

function listEntries(
  lists: Readonly<Record<string, readonly string[]>>,
  rewrite: CompileOptions["listEntry"],
  source: string,
): Readonly<Record<string, readonly string[]>> {
  if (!rewrite) return lists;
  return Object.fromEntries(
    Object.entries(lists).map(([name, entries]) => [
      name,
      entries.map((entry, i) => {
        try {
          return rewrite(name, entry);
        } catch (e) {
          throw new RulesError("rules_schema", `${source}: lists.${name}[${i}]: ${(e as Error).message}`);
        }
      }),
    ]),
  );
}

/** Reads and compiles a rules file; I/O problems are RulesErrors too, so callers handle one type. */
export async function loadRules(
  path: string,
  opts: Omit<CompileOptions, "source"> = {},
): Promise<CompiledRuleSet> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new RulesError("rules_io", `${path}: cannot read: ${(e as Error).message}`);
  }
  return compileRuleSet(text, { ...opts, source: path });
}

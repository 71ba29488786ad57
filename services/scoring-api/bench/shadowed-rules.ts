// The rules bench:api-levels scores with: the default rules, with those its workload sets off at
// every level in shadow, so the model decides and every level answers alike.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";

const DEFAULT_RULES = fileURLToPath(new URL("../rules/default.yaml", import.meta.url));

/**
 * The workload is one card paid by fresh users, at every level. R-REVIEW-INSTRUMENT-MANY-ACCOUNTS
 * (three or more users on one card in 7 days) makes every checkout a review from its third on: a
 * review costs 1.5-2.4 ms (explanation, review budget, case) against ~0.8 ms, and draws on the day's
 * review budget, which runs out during the rounds: from then on reviews become overflow answers, so
 * levels would be measured on different paths depending on when their slices ran.
 * R-BLOCK-INSTRUMENT-MANY-ACCOUNTS (ten users in 24 hours) blocks every checkout from the eleventh
 * on, before the model. In shadow a rule is still evaluated on every checkout (its CEL cost stays in)
 * and reported, but does not act.
 */
export const SHADOWED_RULES: readonly string[] = [
  "R-REVIEW-INSTRUMENT-MANY-ACCOUNTS",
  "R-BLOCK-INSTRUMENT-MANY-ACCOUNTS",
];

interface RulesDocument {
  version: string;
  rules: { id: string; status: string }[];
}

/** A rules file in a directory of its own: the default rules with `ids` in shadow. */
export async function shadowedRulesFile(
  ids: readonly string[] = SHADOWED_RULES,
): Promise<{ readonly path: string; readonly version: string; remove(): Promise<void> }> {
  const doc = parse(await readFile(DEFAULT_RULES, "utf8")) as RulesDocument;
  for (const id of ids) {
    const rule = doc.rules.find((r) => r.id === id);
    if (!rule) throw new Error(`${DEFAULT_RULES} has no rule ${id} to put in shadow`);
    rule.status = "shadow";
  }
  // Named in every answer (`rules_version`): these are not the rules as shipped.
  doc.version = `${doc.version}+bench-shadow`;
  const dir = await mkdtemp(join(tmpdir(), "api-levels-rules-"));
  const path = join(dir, "rules.yaml");
  await writeFile(path, stringify(doc));
  return { path, version: doc.version, remove: () => rm(dir, { recursive: true, force: true }) };
}

import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { parseDocument } from "yaml";
import { RulesError } from "./errors.ts";

const strict = { additionalProperties: false } as const;

export const ACTIONS = ["allow", "review", "block"] as const;
export type Action = (typeof ACTIONS)[number];
export const STATUSES = ["active", "shadow", "paused"] as const;
export type Status = (typeof STATUSES)[number];
export const OVERFLOWS = ["expected_loss", "block"] as const;
export type Overflow = (typeof OVERFLOWS)[number];

/** Identifiers usable as `lists.<name>` in CEL without quoting. */
const ListName = Type.String({ pattern: "^[a-z][a-z0-9_]{0,63}$" });

export const RuleDoc = Type.Object(
  {
    id: Type.String({ pattern: "^R-[A-Z0-9]+(-[A-Z0-9]+)*$", maxLength: 80 }),
    description: Type.String({ minLength: 1, maxLength: 500 }),
    action: Type.Union(ACTIONS.map((a) => Type.Literal(a))),
    status: Type.Union(STATUSES.map((s) => Type.Literal(s))),
    /**
     * Review rules only: what the checkout gets when its review cannot be had (the day's budget
     * spent, the queue unreachable). `expected_loss` (the default) ranks it as any overflow;
     * `block` blocks it, for rules precise enough that blocking beats allowing at any amount.
     */
    overflow: Type.Optional(Type.Union(OVERFLOWS.map((o) => Type.Literal(o)))),
    condition: Type.String({ minLength: 1, maxLength: 4000 }),
    reason: Type.Object(
      {
        code: Type.String({ pattern: "^[a-z][a-z0-9_]{0,63}$" }),
        detail: Type.String({ minLength: 1, maxLength: 200 }),
      },
      strict,
    ),
  },
  strict,
);
export type RuleDoc = Static<typeof RuleDoc>;

export const RulesDoc = Type.Object(
  {
    version: Type.String({ minLength: 1, maxLength: 64 }),
    lists: Type.Record(ListName, Type.Array(Type.String({ minLength: 1, maxLength: 256 })), {
      additionalProperties: false,
    }),
    rules: Type.Array(RuleDoc),
  },
  strict,
);
export type RulesDoc = Static<typeof RulesDoc>;

const checker = TypeCompiler.Compile(RulesDoc);

/** `/rules/3/action` → `rule R-X (rules[3]): /action`, so the error names the rule, not an index. */
function locate(raw: unknown, path: string): { where: string; ruleId?: string } {
  const m = /^\/rules\/(\d+)(\/.*)?$/.exec(path);
  if (!m) return { where: path || "/" };
  const index = Number(m[1]);
  const rules = (raw as { rules?: unknown[] }).rules;
  const id = (rules?.[index] as { id?: unknown } | undefined)?.id;
  const field = m[2] ?? "";
  if (typeof id === "string")
    return { where: `rule ${id} (rules[${index}])${field ? `: ${field}` : ""}`, ruleId: id };
  return { where: `rules[${index}]${field}` };
}

/** TypeBox says "Expected union value" for a bad enum; say what is allowed instead. */
function explain(path: string, message: string | undefined, value: unknown): string {
  const got = JSON.stringify(value) ?? "nothing";
  if (path.endsWith("/action")) return `must be one of ${ACTIONS.join(", ")}, got ${got}`;
  if (path.endsWith("/status")) return `must be one of ${STATUSES.join(", ")}, got ${got}`;
  if (path.endsWith("/overflow")) return `must be one of ${OVERFLOWS.join(", ")}, got ${got}`;
  if (/^\/lists\/[^/]+$/.test(path) && message === "Unexpected property") {
    return "list names are lower_snake_case, usable as lists.<name> in CEL";
  }
  return message ?? "invalid";
}

/** YAML text → a document that matches the schema exactly; unknown fields are errors, not ignored. */
export function parseRulesText(text: string, source: string): RulesDoc {
  // uniqueKeys: a key given twice (e.g. two `condition:`) would otherwise silently keep the last one.
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    throw new RulesError("rules_yaml", `${source}: YAML: ${yamlError.message}`);
  }
  const raw: unknown = doc.toJS();
  if (!checker.Check(raw)) {
    const first = checker.Errors(raw).First();
    const path = first?.path ?? "";
    const { where, ruleId } = locate(raw, path);
    throw new RulesError(
      "rules_schema",
      `${source}: ${where}: ${explain(path, first?.message, first?.value)}`,
      ruleId,
    );
  }
  return raw;
}

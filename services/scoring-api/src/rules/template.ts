/**
 * Reason detail templates: literal text with `{features.<name>}` or `{checkout.<path>}`
 * placeholders. Checked at load against the known names (a typo is a load error, not a
 * "{features.typo}" in a customer-facing reason) and rendered only for rules that fired.
 */
export type Detail = (
  features: Readonly<Record<string, unknown>>,
  checkout: Readonly<Record<string, unknown>>,
) => string;

export type TemplateCheck = { ok: true; render: Detail } | { ok: false; problem: string };

type Part = string | { root: "features" | "checkout"; path: readonly string[] };

function format(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
  if (v === "" || v === undefined) return "none";
  return String(v);
}

function lookup(obj: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) cur = (cur as Record<string, unknown> | undefined)?.[key];
  return cur;
}

export function compileTemplate(
  template: string,
  known: { features: ReadonlySet<string>; checkoutPaths: ReadonlySet<string> },
): TemplateCheck {
  const parts: Part[] = [];
  let last = 0;
  for (const m of template.matchAll(/\{([^{}]*)\}/g)) {
    const ref = (m[1] ?? "").trim();
    const [root, ...rest] = ref.split(".");
    const path = rest.join(".");
    if (root === "features" && known.features.has(path)) {
      parts.push(template.slice(last, m.index), { root, path: [path] });
    } else if (root === "checkout" && known.checkoutPaths.has(path)) {
      parts.push(template.slice(last, m.index), { root, path: rest });
    } else {
      return {
        ok: false,
        problem: `detail placeholder {${ref}} is not a known features.<name> or checkout.<field>`,
      };
    }
    last = (m.index ?? 0) + m[0].length;
  }
  parts.push(template.slice(last));
  const compact = parts.filter((p) => p !== "");
  return {
    ok: true,
    render: (features, checkout) => {
      let out = "";
      for (const p of compact) {
        out +=
          typeof p === "string" ? p : format(lookup(p.root === "features" ? features : checkout, p.path));
      }
      return out;
    },
  };
}

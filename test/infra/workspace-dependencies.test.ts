// Each workspace package's `dependencies` are exactly the npm packages its shipped code imports:
// nothing missing (deps:check also refuses those), nothing listed that no source file uses (the
// production image would carry it). Test and bench packages belong in the root devDependencies.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const WORKSPACES: string[] = readJson(join(ROOT, "package.json")).workspaces;

/** The package name of a bare import specifier (`@scope/name/sub` -> `@scope/name`), else undefined. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("node:")) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** `.ts` files of a folder, recursively, leaving out tests. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "test" ? [] : sourceFiles(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [path] : [];
  });
}

const IMPORT =
  /^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)|^\s*import\s+"([^"]+)"/gm;

function importedPackages(files: string[]): string[] {
  const found = new Set<string>();
  for (const file of files) {
    for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const name = packageOf((m[1] ?? m[2] ?? m[3]) as string);
      if (name) found.add(name);
    }
  }
  return [...found].sort();
}

describe("workspace package dependencies", () => {
  it.each(WORKSPACES)("%s lists exactly what its source imports", (workspace) => {
    const dir = join(ROOT, workspace);
    const pkg = readJson(join(dir, "package.json"));
    // A package with src/ ships src/; test/support has no src/ and is all shipped (to the tests).
    const srcDir = readdirSync(dir).includes("src") ? join(dir, "src") : dir;
    expect(Object.keys(pkg.dependencies ?? {}).sort()).toEqual(importedPackages(sourceFiles(srcDir)));
  });

  it("finds the imports it compares (the scoring API's source uses fastify and kafkajs)", () => {
    const imported = importedPackages(sourceFiles(join(ROOT, "services/scoring-api/src")));
    expect(imported).toEqual(expect.arrayContaining(["fastify", "kafkajs", "@riskgate/feature-store"]));
  });
});

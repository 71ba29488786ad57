// The console's build is committed (so a fresh clone serves it without a build tool). This fails
// when the committed build is not what the sources build to: run `npm run build:console` and commit.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { afterAll, describe, expect, it } from "vitest";

const CONSOLE = fileURLToPath(new URL("../../console/", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "console-build-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function files(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else m.set(relative(dir, p), readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return m;
}

describe("committed console build", () => {
  it("is exactly what the sources build to", { timeout: 60_000 }, async () => {
    await build({
      configFile: join(CONSOLE, "vite.config.ts"),
      logLevel: "silent",
      build: { outDir: out, emptyOutDir: true },
    });
    const built = files(out);
    const committed = files(join(CONSOLE, "dist"));
    expect(built.size).toBeGreaterThan(1);
    expect([...committed.keys()].sort(), "run `npm run build:console` and commit console/dist").toEqual(
      [...built.keys()].sort(),
    );
    for (const [name, text] of built) expect(committed.get(name), name).toBe(text);
  });
});

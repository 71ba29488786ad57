import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL(".", import.meta.url));

/**
 * A hash of the generator's own sources (the replay excluded: it reads worlds, it makes none). A
 * world cached under a folder named by its days alone was reused after the generator changed, so
 * the load benches measured yesterday's world as if it were today's.
 */
export function generatorFingerprint(dir: string = SRC): string {
  const hash = createHash("sha256");
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "replay") walk(path);
      } else if (entry.name.endsWith(".ts")) {
        hash
          .update(`${relative(dir, path)}\0`)
          .update(readFileSync(path))
          .update("\0");
      }
    }
  };
  walk(dir);
  return hash.digest("hex").slice(0, 16);
}

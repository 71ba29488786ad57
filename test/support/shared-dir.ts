// The project's shared/ folder (the Compose specification's schema, ...) is not part of the repo. CI
// clones the repo next to a copy of it; a git worktree elsewhere names it with RISKGATE_SHARED_DIR.
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

/** RISKGATE_SHARED_DIR, or `shared/` next to the repo (CI's layout). */
export function sharedDir(): string {
  return resolve(ROOT, process.env.RISKGATE_SHARED_DIR || "../shared");
}

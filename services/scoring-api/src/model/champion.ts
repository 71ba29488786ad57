import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";

/**
 * `models/artifacts/champion.json` names the model the service loads when MODEL_DIR is unset:
 * `{"dir": "<name>/<version>"}`, relative to the file. Promoting a model is a one-line change.
 */
export async function championDir(pointerFile: string): Promise<string> {
  const { dir } = JSON.parse(await readFile(pointerFile, "utf8")) as { dir?: unknown };
  if (typeof dir !== "string" || dir.length === 0)
    throw new Error(`${pointerFile}: expected {"dir": "<name>/<version>"}`);
  return isAbsolute(dir) ? dir : join(dirname(pointerFile), dir);
}

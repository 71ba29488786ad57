// Copies of the champion artifact under another version, to stand in as canary or shadow models.
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { championDir } from "../src/model/champion.ts";

export async function modelCopy(
  version: string,
  edit: (manifest: Record<string, unknown>) => void = () => {},
): Promise<{ dir: string; remove(): Promise<void> }> {
  const source = await championDir("models/artifacts/champion.json");
  const dir = await mkdtemp(join(tmpdir(), `rg-${version}-`));
  await cp(source, dir, { recursive: true });
  const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8"));
  manifest.version = version;
  edit(manifest);
  await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

// The command-line parsing of every bench here and in services/*/bench and load-tests: it lives in
// feature-store, the one leaf package all of them may import (the package's `./cli-args` entry).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type ParseArgsConfig, parseArgs } from "node:util";

/**
 * The usage block of a CLI's own header comment: its lines from the one that starts "// usage:" to
 * the end of that comment. The comment stays the one place a bench's options are described.
 */
export function headerUsage(moduleUrl: string): string {
  const lines = readFileSync(fileURLToPath(moduleUrl), "utf8").split("\n");
  const from = lines.findIndex((l) => l.startsWith("// usage:"));
  if (from < 0) throw new Error(`${moduleUrl} has no "// usage:" line in its header comment`);
  const block: string[] = [];
  for (const line of lines.slice(from)) {
    if (!line.startsWith("//")) break;
    block.push(line.replace(/^\/\/ ?/, ""));
  }
  return block.join("\n");
}

/**
 * node:util's parseArgs for a bench or tool CLI: `--help` or `-h` prints the usage of its header
 * comment and exits 0, and an option it does not know prints that usage with the error and exits 2,
 * where parseArgs alone threw a stack trace at whoever asked for help.
 */
export function cliArgs<T extends ParseArgsConfig>(
  moduleUrl: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  const args = config.args ?? process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${headerUsage(moduleUrl)}\n`);
    process.exit(0);
  }
  try {
    return parseArgs(config);
  } catch (err) {
    if (!(err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) throw err;
    process.stderr.write(`${(err as Error).message}\n${headerUsage(moduleUrl)}\n`);
    process.exit(2);
  }
}

// Holds a service process while it loads one of its modules (hold-module.ts, loaded with --import),
// so a test can signal it at that moment and then let the loading go on.
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ServiceProcess } from "./service-process.ts";
import { uniquePrefix, waitFor } from "./services.ts";

const HOOKS = fileURLToPath(new URL("./hold-module.ts", import.meta.url));

export class ModuleHold {
  private readonly releaseFile = join(tmpdir(), `${uniquePrefix("hold-module")}release`);

  private readonly module: string;

  /** `module`: how the held module's path ends, e.g. /scoring-api/src/run.ts. */
  constructor(module: string) {
    this.module = module;
  }

  /** The environment to add to the process's. */
  get env(): Record<string, string> {
    return { HOLD_MODULE: this.module, HOLD_RELEASE_FILE: this.releaseFile };
  }

  /** Node's options for ServiceProcess's `execArgv`. */
  get execArgv(): string[] {
    return ["--import", HOOKS];
  }

  /** Resolves once `service` is held (it said so), or when it exited before. */
  async reached(service: ServiceProcess): Promise<void> {
    await waitFor(
      () => service.stdout.some((l) => l.includes(`holding ${this.module}`)) || !service.running,
      {
        what: `the process holding ${this.module}`,
      },
    );
  }

  /** Lets the loading go on. */
  release(): void {
    writeFileSync(this.releaseFile, "");
  }

  dispose(): void {
    rmSync(this.releaseFile, { force: true });
  }
}

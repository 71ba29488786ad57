import type { Logger } from "./logger.ts";

export interface Closer {
  readonly name: string;
  close(): Promise<void>;
}

/**
 * Closes resources in order on SIGTERM/SIGINT, each within a deadline, then resolves with the exit
 * code for main.ts to use. A second signal skips what is left.
 */
export function onShutdownSignal(
  logger: Logger,
  closers: readonly Closer[],
  deadlineMs = 10_000,
): Promise<number> {
  return new Promise((resolve) => {
    let closing = false;
    const handler = async (signal: NodeJS.Signals) => {
      if (closing) {
        logger.warn({ signal }, "second signal: exiting without finishing shutdown");
        resolve(1);
        return;
      }
      closing = true;
      logger.info({ signal }, "shutting down");
      let code = 0;
      for (const c of closers) {
        try {
          await Promise.race([
            c.close(),
            new Promise((_, reject) => setTimeout(() => reject(new Error("deadline")), deadlineMs).unref()),
          ]);
          logger.info({ resource: c.name }, "closed");
        } catch (err) {
          code = 1;
          logger.error({ resource: c.name, err }, "failed to close");
        }
      }
      resolve(code);
    };
    process.on("SIGTERM", handler);
    process.on("SIGINT", handler);
  });
}

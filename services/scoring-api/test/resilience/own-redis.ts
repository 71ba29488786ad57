// A redis-server process of the test's own (not the shared dev Redis): started on a free port, killed
// and restarted on the same port by the test to stage an outage.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REDIS_SERVER = process.env.RISKGATE_REDIS_SERVER ?? "/usr/bin/redis-server";

/** A port nothing listens on (yet): connecting to it is refused. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export class OwnRedis {
  private proc: ChildProcess | undefined;
  readonly port: number;
  private readonly dir: string;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  static async start(): Promise<OwnRedis> {
    const r = new OwnRedis(await freePort(), await mkdtemp(join(tmpdir(), "rg-outage-redis-")));
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.proc !== undefined;
  }

  /** Starts redis-server and resolves once it accepts connections. */
  async start(timeoutMs = 10_000): Promise<void> {
    if (this.proc) throw new Error("already running");
    const proc = spawn(
      REDIS_SERVER,
      [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        this.dir,
        "--loglevel",
        "notice",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.proc = proc;
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`redis-server did not start within ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) {
          clearTimeout(timer);
          proc.stdout?.off("data", onData);
          proc.stdout?.resume();
          resolve();
        }
      };
      proc.stdout?.on("data", onData);
      proc.stderr?.on("data", (c: Buffer) => {
        output += c.toString();
      });
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`));
      });
    });
    proc.removeAllListeners("exit");
  }

  /**
   * Freezes the server (SIGSTOP): connections stay open and commands get no answer, as from a Redis
   * stuck on a slow command or a stalled host. `resume` (SIGCONT) lets it answer again.
   */
  pause(): void {
    if (!this.proc?.kill("SIGSTOP")) throw new Error("not running");
  }

  resume(): void {
    if (!this.proc?.kill("SIGCONT")) throw new Error("not running");
  }

  /** Kills the server and resolves once the process is gone (its port is closed). */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = undefined;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once("exit", () => resolve());
      proc.kill(signal);
    });
  }

  async close(): Promise<void> {
    await this.kill("SIGKILL");
    await rm(this.dir, { recursive: true, force: true });
  }
}

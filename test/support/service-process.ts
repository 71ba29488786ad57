// A service's real main.ts in a child process (the composition root the issue is about: config,
// start-up order, waiting for Kafka), its JSON log lines collected, and a TCP gate that makes a
// broker unreachable and then reachable again.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server, Socket } from "node:net";
import { resolve } from "node:path";
import { waitFor } from "./services.ts";

const ROOT = resolve(import.meta.dirname, "../..");

export interface LogLine {
  readonly msg?: string;
  readonly level?: number;
  /**
   * Set, alone, for a line that is not JSON: two processes' long lines interleaved on one pipe (the
   * workers under SCORING_WORKERS), or a writer's line split by another's (kafkajs's console output).
   */
  readonly raw?: string;
  readonly [key: string]: unknown;
}

/** The `msg` fields a line carries: its own, or for a raw one every whole `"msg":"…"` inside it. */
function messagesOf(line: LogLine): string[] {
  if (line.raw === undefined) return typeof line.msg === "string" ? [line.msg] : [];
  return [...line.raw.matchAll(/"msg":("(?:[^"\\]|\\.)*")/g)].flatMap((m) => {
    try {
      return [JSON.parse(m[1] as string) as string];
    } catch {
      return []; // an escape cut in two
    }
  });
}

/** A log line; one that is not JSON (a test helper must not throw on it) is kept raw. */
function parseLine(line: string): LogLine | undefined {
  if (line.startsWith("{")) {
    try {
      return JSON.parse(line) as LogLine;
    } catch {
      return { raw: line };
    }
  }
  // The second part of a split line, or another writer's text with a log line inside.
  return line.includes('"msg":') ? { raw: line } : undefined;
}

export class ServiceProcess {
  readonly lines: LogLine[] = [];
  readonly stdout: string[] = [];
  private readonly child: ChildProcess;
  exitCode: number | null = null;
  /** Resolves with the exit code (-1 for a signal) once the process has exited. */
  readonly exited: Promise<number>;

  /**
   * `entry`: a path from the repo root, e.g. services/feature-ingest/src/main.ts; `execArgv`:
   * Node's options before it (an --import of a test's module hooks).
   */
  constructor(entry: string, env: Record<string, string>, { execArgv = [] }: { execArgv?: string[] } = {}) {
    this.child = spawn(process.execPath, [...execArgv, resolve(ROOT, entry)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let pending = "";
    // Decoded across chunks: a character cut between two would otherwise spoil its line's JSON.
    this.child.stdout?.setEncoding("utf8");
    this.child.stdout?.on("data", (d: string) => {
      pending += d;
      const parts = pending.split("\n");
      pending = parts.pop() ?? "";
      for (const line of parts) {
        this.stdout.push(line);
        const parsed = parseLine(line);
        if (parsed) this.lines.push(parsed);
      }
    });
    this.child.stderr?.on("data", (d: Buffer) => this.stdout.push(d.toString()));
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code) => {
        this.exitCode = code ?? -1;
        resolve(this.exitCode);
      }),
    );
  }

  /** Sends `signal` and returns at once (stop() sends SIGTERM and waits for the exit). */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  get running(): boolean {
    return this.exitCode === null;
  }

  /** The lines whose `msg` is `msg` (or matches it); a raw line (LogLine.raw) by a `msg` inside it. */
  logged(msg: string | RegExp): LogLine[] {
    return this.lines.filter((l) =>
      messagesOf(l).some((m) => (typeof msg === "string" ? m === msg : msg.test(m))),
    );
  }

  async waitForLog(msg: string | RegExp, timeoutMs = 30_000): Promise<LogLine> {
    await waitFor(() => this.logged(msg).length > 0 || !this.running, { timeoutMs, what: `log line ${msg}` });
    const found = this.logged(msg)[0];
    if (!found)
      throw new Error(`exited with ${this.exitCode} before logging ${msg}:\n${this.stdout.join("\n")}`);
    return found;
  }

  /** SIGTERM and wait for the exit; the exit code is returned. */
  async stop(): Promise<number | null> {
    if (!this.running) return this.exitCode;
    this.child.kill("SIGTERM");
    return this.exited;
  }
}

/**
 * A port that refuses connections until `open()`, then forwards to `target` (host:port). A Kafka
 * client bootstraps through it and then talks to the advertised listener directly, so closed it
 * stands for a broker that is not there yet. Opened with `hold`, it accepts connections but
 * forwards nothing either way until `release()`: a broker that answers late.
 */
export class TcpGate {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly held: Socket[] = [];
  private holding = false;
  private connections = 0;
  readonly port: number;
  private readonly target: { host: string; port: number };

  private constructor(port: number, target: string) {
    this.port = port;
    const [host, port2] = target.split(":");
    this.target = { host: host ?? "127.0.0.1", port: Number(port2) };
  }

  static async reserve(target: string): Promise<TcpGate> {
    return new TcpGate(await freePort(), target);
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Connections accepted so far, held or forwarded. */
  get accepted(): number {
    return this.connections;
  }

  async open({ hold = false }: { hold?: boolean } = {}): Promise<void> {
    this.holding = hold;
    const server = createServer((client) => {
      this.connections++;
      this.sockets.add(client);
      client.on("error", () => client.destroy());
      if (this.holding) this.held.push(client);
      else this.forward(client);
    });
    this.server = server;
    await new Promise<void>((ok) => server.listen(this.port, "127.0.0.1", () => ok()));
  }

  /** Forwards the connections held so far (what their clients sent meanwhile first) and every later one. */
  release(): void {
    this.holding = false;
    for (const client of this.held.splice(0)) if (!client.destroyed) this.forward(client);
  }

  private forward(client: Socket): void {
    const upstream = new Socket();
    this.sockets.add(upstream);
    upstream.connect(this.target.port, this.target.host);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    if (server) await new Promise((ok) => server.close(ok));
  }
}

/** A port nothing listens on right now (the OS's choice). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await new Promise<number>((ok) =>
    probe.listen(0, "127.0.0.1", () => ok((probe.address() as { port: number }).port)),
  );
  await new Promise((ok) => probe.close(ok));
  return port;
}

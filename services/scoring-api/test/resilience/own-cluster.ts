// A 3-master Redis Cluster of the test's own (not the shared dev cluster, which other tests use at the
// same time), started by infra/dev/redis-cluster.sh on free ports; a master is SIGKILLed and restarted
// from its nodes.conf by the test to stage the loss of one shard.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL("../../../../infra/dev/redis-cluster.sh", import.meta.url));
const REDIS_CLI = process.env.RISKGATE_REDIS_CLI ?? "/usr/bin/redis-cli";
// The cluster bus listens on each port + 10000.
const BUS_OFFSET = 10_000;

function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** A first port whose three ports and three bus ports are all free (other test runs share the box). */
async function freeBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 9_000);
    const ports = [0, 1, 2].flatMap((i) => [base + i, base + i + BUS_OFFSET]);
    if ((await Promise.all(ports.map(free))).every(Boolean)) return base;
  }
  throw new Error("no free ports for a test Redis Cluster");
}

export class OwnCluster {
  readonly ports: readonly number[];
  private readonly dir: string;

  private constructor(base: number, dir: string) {
    this.ports = [base, base + 1, base + 2];
    this.dir = dir;
  }

  static async start(): Promise<OwnCluster> {
    const c = new OwnCluster(await freeBase(), await mkdtemp(join(tmpdir(), "rg-cluster-")));
    await c.script("up");
    return c;
  }

  get url(): string {
    return `redis+cluster://${this.ports.map((p) => `127.0.0.1:${p}`).join(",")}`;
  }

  /** The port of the master serving `key`'s hash slot. */
  async masterOf(key: string): Promise<number> {
    const slot = Number(
      (await run(REDIS_CLI, ["-p", String(this.ports[0]), "cluster", "keyslot", key])).stdout,
    );
    const { stdout } = await run(REDIS_CLI, ["-p", String(this.ports[0]), "cluster", "nodes"]);
    for (const line of stdout.trim().split("\n")) {
      const [, address, flags, , , , , , ...ranges] = line.split(" ");
      if (!flags?.includes("master")) continue;
      for (const r of ranges) {
        const [lo, hi = lo] = r.split("-").map(Number);
        if (lo !== undefined && hi !== undefined && slot >= lo && slot <= hi)
          return Number(address?.split("@")[0]?.split(":")[1]);
      }
    }
    throw new Error(`no master serves slot ${slot}`);
  }

  /** SIGKILLs one member (no shutdown, no save) and resolves once its process is gone. */
  async kill(port: number): Promise<void> {
    const pid = Number(await readFile(join(this.dir, String(port), "redis.pid"), "utf8"));
    process.kill(pid, "SIGKILL");
    const deadline = Date.now() + 10_000;
    while (alive(pid)) {
      if (Date.now() > deadline) throw new Error(`redis-server ${pid} still alive after SIGKILL`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Restarts a killed member from its nodes.conf; resolves once the cluster says cluster_state:ok. */
  restart(port: number): Promise<void> {
    return this.script("start-node", String(port));
  }

  async close(): Promise<void> {
    await this.script("down").catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
  }

  private async script(...args: string[]): Promise<void> {
    await run("bash", [SCRIPT, ...args], {
      env: {
        ...process.env,
        RISKGATE_DEV_REDIS_CLUSTER_PORT: String(this.ports[0]),
        RISKGATE_DEV_REDIS_CLUSTER_DIR: this.dir,
      },
    });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

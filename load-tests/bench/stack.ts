// The parts of a benchmark that set up and tear down a local stack: the simulated world, its history
// in Redis, child processes, their CPU and memory from /proc, and the cleanup of one run's keys and
// topics in the shared Redis and Kafka.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { mergedEventLog } from "@riskgate/feature-store/backfill";
import { type DomainEvent, pseudonymiserFor, topicNames } from "@riskgate/feature-store/events";
import { RedisStore } from "@riskgate/feature-store/online";
import { update } from "@riskgate/feature-store/update";
import { Redis } from "ioredis";
import { Kafka, logLevel } from "kafkajs";

export const REPO = resolve(import.meta.dirname, "../..");

export function required(name: "REDIS_URL" | "KAFKA_BROKERS"): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required (bash infra/dev/services.sh up, then export its lines)`);
  return v;
}

/** A node child of this process with Node 24 (the runner's own binary), stdout piped, stderr inherited. */
export function runNode(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  // An unread pipe would fill and stall the child's writes.
  child.stdout?.resume();
  return child;
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const stuck = setTimeout(() => child.kill("SIGKILL"), 30_000);
  await exited;
  clearTimeout(stuck);
}

/** Throws when something already listens on the port: a leftover would answer in place of the new process. */
export async function assertPortFree(port: number): Promise<void> {
  const inUse = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) }).then(
    () => true,
    (e: Error & { cause?: { code?: string } }) => e.cause?.code !== "ECONNREFUSED",
  );
  if (inUse) throw new Error(`127.0.0.1:${port} is already in use (a leftover bench process?)`);
}

export async function waitReady(url: string, child?: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child && child.exitCode !== null)
      throw new Error(`${url}: the process exited with ${child.exitCode}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became ready`);
}

/** The simulated world `npm run bench:score` uses too (same seed and folder, so one cache). */
export async function ensureWorld(days: number): Promise<string> {
  const dir = join(REPO, ".cache/bench/score", `world-${days}d`);
  process.stderr.write(`the simulated world (${days} days, cached in ${dir}) ...\n`);
  // --reuse: the cached world is kept only if today's generator made it (else it is simulated again).
  const sim = runNode([
    "models/simulator/src/cli.ts",
    "--seed",
    "3",
    "--days",
    String(days),
    "--out",
    dir,
    "--quiet",
    "--reuse",
  ]);
  const [code] = (await once(sim, "exit")) as [number];
  if (code !== 0) throw new Error(`the simulator exited with ${code}`);
  return dir;
}

export interface WorldSplit {
  /** Checkouts after the cut-off, in time order, as POST /v1/score bodies. */
  readonly checkouts: string[];
  /** Non-checkout events after the cut-off, in time order: what feature-ingest consumes during the run. */
  readonly stream: DomainEvent[];
  readonly historyEvents: number;
}

/**
 * Loads the world's history before the cut-off into Redis (as serving and ingest would have applied
 * it) and returns what comes after it: up to `checkoutCount` checkouts to score in time order and the other
 * events to replay through Kafka, so velocity features and the review rate look like production.
 */
export async function loadWorld(
  dir: string,
  redis: Redis,
  prefix: string,
  checkoutCount: number,
): Promise<WorldSplit> {
  const log: DomainEvent[] = [];
  for await (const { event } of mergedEventLog(dir, { invalid: new Map() })) log.push(event);
  const checkoutIndexes = log.flatMap((e, i) => (e.type === "checkout" ? [i] : []));
  // At most the last 40 % of the checkouts: the rest is the history their features are read from.
  const count = Math.min(checkoutCount, Math.floor(checkoutIndexes.length * 0.4));
  const cut = checkoutIndexes[checkoutIndexes.length - count] as number;
  const store = new RedisStore(redis, { keyPrefix: prefix });
  // The API pseudonymises what it is sent (same key: ID_HASH_KEY from this environment, else the
  // development key), so history is stored under the same pseudonyms or no checkout would see it.
  const { pseudonymiser } = pseudonymiserFor({
    ...(process.env.ID_HASH_KEY ? { idHashKey: process.env.ID_HASH_KEY } : {}),
    ...(process.env.ID_HASH_KEY_ID ? { idHashKeyId: process.env.ID_HASH_KEY_ID } : {}),
  });
  const toUpdate = (e: DomainEvent) => update(pseudonymiser.event(e, "client"));
  const checkouts: string[] = [];
  const stream: DomainEvent[] = [];
  let batch: DomainEvent[] = [];
  for (const [i, e] of log.entries()) {
    if (i >= cut) {
      if (e.type === "checkout") {
        const { type: _t, ...body } = e;
        checkouts.push(JSON.stringify(body));
      } else stream.push(e);
      continue;
    }
    batch.push(e);
    if (batch.length === 1000) {
      await store.applyBatch(batch.map(toUpdate));
      batch = [];
    }
  }
  await store.applyBatch(batch.map(toUpdate));
  return { checkouts, stream, historyEvents: cut };
}

export interface ProcStat {
  readonly cpuSeconds: number;
  readonly rssBytes: number;
}

const PAGE = 4096;
/** CPU time (user + system) and resident memory of one process, from its /proc/<pid>/stat. */
function parseStat(text: string): { ppid: number; stat: ProcStat } {
  // After the command's closing parenthesis: state, ppid, … (proc(5), counted from field 3).
  const fields = (text.slice(text.lastIndexOf(") ") + 2) as string).split(" ");
  return {
    ppid: Number(fields[1]),
    stat: {
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100,
      rssBytes: Number(fields[21]) * PAGE,
    },
  };
}

/**
 * CPU time and resident memory of a process and every descendant alive now, from /proc: a scoring-api with
 * SCORING_WORKERS > 1 is a primary whose node:cluster workers do the work. A worker that exits
 * between two readings takes its CPU with it, so a bench compares readings of one set of workers.
 */
export function procTreeStat(pid: number): ProcStat {
  const all = new Map<number, { ppid: number; stat: ProcStat }>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      all.set(Number(d), parseStat(readFileSync(`/proc/${d}/stat`, "utf8")));
    } catch {
      // the process ended while listing
    }
  }
  const root = all.get(pid);
  if (!root) throw new Error(`no process ${pid}`);
  let cpuSeconds = 0;
  let rssBytes = 0;
  const tree = new Set([pid]);
  // Parents before children is not /proc's order: repeat until no new descendant turns up.
  for (let grown = true; grown; ) {
    grown = false;
    for (const [p, s] of all)
      if (!tree.has(p) && tree.has(s.ppid)) {
        tree.add(p);
        grown = true;
      }
  }
  for (const p of tree) {
    const s = (all.get(p) as { stat: ProcStat }).stat;
    cpuSeconds += s.cpuSeconds;
    rssBytes += s.rssBytes;
  }
  return { cpuSeconds, rssBytes };
}

/** The pid of the Redis behind the client (INFO server), or null when it runs elsewhere. */
export async function redisPid(redis: Redis): Promise<number | null> {
  const m = /process_id:(\d+)/.exec(await redis.info("server"));
  const pid = m ? Number(m[1]) : Number.NaN;
  return Number.isFinite(pid) && existsSync(`/proc/${pid}/stat`) ? pid : null;
}

/** The pid of a local Kafka broker (a java process running kafka.Kafka), or null. */
export function kafkaPid(): number | null {
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, "utf8");
      if (cmd.includes("java") && cmd.includes("kafka.Kafka")) return Number(d);
    } catch {
      // the process ended while listing
    }
  }
  return null;
}

export function kafka(brokers: string, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: brokers.split(","), logLevel: logLevel.NOTHING });
}

/** Creates the run's input, dead-letter and decisions topics (feature-ingest expects them to exist). */
export async function createRunTopics(brokers: string, topicPrefix: string): Promise<void> {
  const names = topicNames(topicPrefix);
  const admin = kafka(brokers, "bench-topics").admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [...Object.values(names.input), names.deadLetter, names.decisions].map((topic) => ({
        topic,
        numPartitions: 1,
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Deletes the run's keys ("<run>:*", by SCAN: KEYS would block a shared Redis) and topics ("<run>.*"). */
export async function cleanupRun(run: string): Promise<void> {
  const redis = new Redis(required("REDIS_URL"));
  for await (const keys of redis.scanStream({ match: `${run}:*`, count: 5000 })) {
    if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
  }
  await redis.quit();
  const admin = kafka(required("KAFKA_BROKERS"), "load-cleanup").admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${run}.`));
  if (topics.length > 0) await admin.deleteTopics({ topics });
  await admin.disconnect();
}

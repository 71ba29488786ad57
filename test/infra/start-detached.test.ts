// infra/dev/lib.sh's start_detached, as stack.sh starts the services: a Ctrl-C in the stack's terminal
// (SIGINT to the terminal's whole foreground process group) reaches the script, not the service, so
// the service hears one signal, the script's SIGTERM (stop_pid). Heard both, it took the SIGTERM for
// a second signal and exited before feature-ingest had left its consumer group.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { waitFor } from "@riskgate/test-support/services";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
// The service writes each signal it hears to its log (stdout) and exits on SIGTERM.
const SERVICE = `
  process.on("SIGINT", () => console.log("SIGINT"));
  process.on("SIGTERM", () => { console.log("SIGTERM"); process.exit(0); });
  console.log("ready " + process.pid);
  setInterval(() => {}, 60_000);
`;

let script: ChildProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  try {
    if (script?.pid) process.kill(-script.pid, "SIGKILL");
  } catch {
    // the group is gone already
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

const lines = async (file: string) =>
  (await readFile(file, "utf8").catch(() => "")).split("\n").filter((l) => l.length > 0);

/**
 * Runs `<start> PIDFILE LOGFILE node -e SERVICE` from lib.sh in a script that leads a process group
 * of its own (the terminal's foreground group, as `npm run stack`); resolves with the pid in the pid
 * file once the service has logged that it is ready, as that pid.
 */
async function startService(start: string): Promise<{ pid: number; logfile: string; group: number }> {
  dir = await mkdtemp(join(tmpdir(), "rg-start-detached-"));
  const pidfile = join(dir, "service.pid");
  const logfile = join(dir, "service.log");
  script = spawn(
    "bash",
    [
      "-c",
      `source infra/dev/lib.sh && ${start} "$1" "$2" "$3" -e "$4" && exec sleep 60`,
      "stack",
      pidfile,
      logfile,
      process.execPath,
      SERVICE,
    ],
    { cwd: ROOT, detached: true, stdio: "ignore" },
  );
  await waitFor(async () => (await lines(logfile)).length > 0, { what: "the service to start" });
  const pid = Number((await readFile(pidfile, "utf8")).trim());
  // The pid file names the service itself, the process stop_pid signals.
  expect(await lines(logfile)).toEqual([`ready ${pid}`]);
  return { pid, logfile, group: script.pid as number };
}

describe("start_detached (infra/dev/lib.sh)", () => {
  it("keeps a terminal's Ctrl-C from the service: it hears only the SIGTERM sent to its pid", async () => {
    const { pid, logfile, group } = await startService("start_detached");
    process.kill(-group, "SIGINT"); // Ctrl-C
    process.kill(pid, "SIGTERM"); // stop_pid
    // Had the SIGINT reached the service, it would be logged first: it was sent first, and a lower
    // signal number is delivered first when both are pending.
    await waitFor(async () => (await lines(logfile)).includes("SIGTERM"), { what: "the service to stop" });
    expect(await lines(logfile)).toEqual([`ready ${pid}`, "SIGTERM"]);
  });
});

const autogroup = async (pid: number) => (await readFile(`/proc/${pid}/autogroup`, "utf8")).trim();
const sessionOf = async (pid: number) =>
  Number((await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]?.split(" ")[3]);

// kafka.sh boots the broker at a lower CPU weight, then gives it back: on two shared cores a booting
// JVM at full weight starved the scoring API it sat beside. The kernel shares the CPU between
// sessions (autogroups) first, so the weight is the session's.
describe.skipIf(!existsSync("/proc/self/autogroup"))(
  "start_detached_at and cpu_weight (infra/dev/lib.sh)",
  () => {
    it("starts the command in a session of its own at the given weight; cpu_weight changes it", async () => {
      // The shell that set the weight exec'd the service: the pid is the service's.
      const { pid, logfile } = await startService("start_detached_at 10");
      expect(await sessionOf(pid)).toBe(pid);
      expect(await autogroup(pid)).toMatch(/ nice 10$/);

      const weight = (nice: number) =>
        spawnSync(
          "bash",
          ["-c", 'source infra/dev/lib.sh && cpu_weight "$1" "$2"', "t", String(pid), String(nice)],
          {
            cwd: ROOT,
          },
        ).status;
      expect(weight(15)).toBe(0); // lower is always allowed
      expect(await autogroup(pid)).toMatch(/ nice 15$/);
      // Back up towards 0 needs root (RLIMIT_NICE otherwise); kafka.sh logs when it cannot.
      const root = process.getuid?.() === 0;
      expect(weight(0)).toBe(root ? 0 : 1);
      expect(await autogroup(pid)).toMatch(root ? / nice 0$/ : / nice 15$/);
      process.kill(pid, "SIGTERM");
      await waitFor(async () => (await lines(logfile)).includes("SIGTERM"), { what: "the service to stop" });
    });
  },
);

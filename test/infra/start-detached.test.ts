// infra/dev/lib.sh's start_detached, as stack.sh starts the services: a Ctrl-C in the stack's terminal
// (SIGINT to the terminal's whole foreground process group) reaches the script, not the service, so
// the service hears one signal, the script's SIGTERM (stop_pid). Heard both, it took the SIGTERM for
// a second signal and exited before feature-ingest had left its consumer group.
import { type ChildProcess, spawn } from "node:child_process";
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

describe("start_detached (infra/dev/lib.sh)", () => {
  it("keeps a terminal's Ctrl-C from the service: it hears only the SIGTERM sent to its pid", async () => {
    dir = await mkdtemp(join(tmpdir(), "rg-start-detached-"));
    const pidfile = join(dir, "service.pid");
    const logfile = join(dir, "service.log");
    // The script leads a process group of its own: the terminal's foreground group, as `npm run stack`.
    script = spawn(
      "bash",
      [
        "-c",
        'source infra/dev/lib.sh && start_detached "$1" "$2" "$3" -e "$4" && exec sleep 60',
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

    process.kill(-(script.pid as number), "SIGINT"); // Ctrl-C
    process.kill(pid, "SIGTERM"); // stop_pid
    // Had the SIGINT reached the service, it would be logged first: it was sent first, and a lower
    // signal number is delivered first when both are pending.
    await waitFor(async () => (await lines(logfile)).includes("SIGTERM"), { what: "the service to stop" });
    expect(await lines(logfile)).toEqual([`ready ${pid}`, "SIGTERM"]);
  });
});

// Loaded with --import into a service's real main.ts (ModuleHold in module-hold.ts): holds the
// loading of the module whose URL ends with HOLD_MODULE until the file HOLD_RELEASE_FILE exists,
// after writing "holding <HOLD_MODULE>" to stderr. A test can so send a signal at a known moment of
// the loading: main.ts has taken the signals (or not), the service has not started.
import { existsSync } from "node:fs";
import { registerHooks } from "node:module";

const held = process.env.HOLD_MODULE;
const release = process.env.HOLD_RELEASE_FILE;
const pause = new Int32Array(new SharedArrayBuffer(4));

registerHooks({
  load(url, context, nextLoad) {
    if (held && release && url.endsWith(held) && !existsSync(release)) {
      process.stderr.write(`holding ${held}\n`);
      // The hooks run on the main thread: it blocks here, and a signal waits in libuv meanwhile.
      while (!existsSync(release)) Atomics.wait(pause, 0, 0, 20);
    }
    return nextLoad(url, context);
  },
});

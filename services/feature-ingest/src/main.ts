// The entry: takes the stop signals before the service's modules load (signal-latch.ts), then runs
// the service (run.ts); the only place that exits.
import { SignalLatch } from "@riskgate/common/signal-latch";

const signals = new SignalLatch();
const { runFeatureIngest } = await import("./run.ts");
process.exit(await runFeatureIngest(signals));

// The lag probe of cpu-per-checkout's API: admission control's real timer (--lag-probe, as main.ts
// runs it), one pinned at its degrade or shed bound (--admission), or none (the harness's zero lag).
import { loadApiConfig } from "../src/config.ts";
import { type LagProbe, TimerLagProbe } from "../src/resilience/admission.ts";

export function benchLagProbe(admission: string, timer: boolean): LagProbe | undefined {
  if (!["normal", "degrade", "shed"].includes(admission))
    throw new Error(`unknown admission level ${admission}`);
  if (admission !== "normal" && timer) throw new Error("--admission pins the lag: not with --lag-probe");
  const bounds = loadApiConfig({});
  if (timer) return new TimerLagProbe(bounds.admissionProbeIntervalMs);
  if (admission === "normal") return undefined;
  // The ticks' lag at the degrade bound (the turn's below the shed bound), or the turn's at the shed bound.
  return admission === "degrade"
    ? { lagMs: () => bounds.admissionDegradeLagMs, turnLagMs: () => 0 }
    : { lagMs: () => bounds.admissionShedLagMs, turnLagMs: () => bounds.admissionShedLagMs };
}

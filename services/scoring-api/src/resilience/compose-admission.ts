import type { ApiConfig } from "../config.ts";
import { Admission, type LagProbe, TimerLagProbe } from "./admission.ts";

type AdmissionSettings = Pick<
  ApiConfig,
  | "admissionProbeIntervalMs"
  | "admissionDegradeInFlight"
  | "admissionShedInFlight"
  | "admissionDegradeLagMs"
  | "admissionShedLagMs"
  | "admissionDegradeHoldMs"
  | "admissionDegradeSlowMs"
>;

/**
 * Admission control for POST /v1/score with the configured bounds, fed by `probe` (tests inject
 * one) or by a timer sampling the event loop. The caller starts the probe once the app is ready:
 * start-up's long synchronous steps are not overload.
 */
export function composeAdmission(
  config: AdmissionSettings,
  probe: LagProbe = new TimerLagProbe(config.admissionProbeIntervalMs),
): { admission: Admission; probe: LagProbe } {
  const admission = new Admission(
    {
      degradeInFlight: config.admissionDegradeInFlight,
      shedInFlight: config.admissionShedInFlight,
      degradeLagMs: config.admissionDegradeLagMs,
      shedLagMs: config.admissionShedLagMs,
      degradeHoldMs: config.admissionDegradeHoldMs,
      degradeSlowMs: config.admissionDegradeSlowMs,
    },
    probe,
  );
  return { admission, probe };
}

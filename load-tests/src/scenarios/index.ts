// Every scenario by the name `npm run load -- <name>` takes.
import type { Scenario } from "../scenario.ts";
import { flagged, hotEntity, spike, steady } from "./basic.ts";
import { kafkaOutage } from "./kafka-outage.ts";
import { soak } from "./soak.ts";
import { killSwitch, redisOutage } from "./switches.ts";

export const SCENARIOS: Record<string, () => Scenario> = {
  steady,
  flagged,
  spike,
  soak,
  "kill-switch": killSwitch,
  "redis-outage": redisOutage,
  "kafka-outage": kafkaOutage,
  "hot-entity": hotEntity,
};

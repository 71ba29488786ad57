import { FeatureSet } from "../../../feature-store/src/definitions/feature-set.ts";
import { FEATURES } from "../../../feature-store/src/definitions/features.ts";
import type { OnlineStore } from "../../../feature-store/src/online/contract.ts";
import { MemoryStore } from "../../../feature-store/src/online/memory-store.ts";
import { RedisStore } from "../../../feature-store/src/online/redis-store.ts";
import { createLogger } from "../../common/src/logger.ts";
import { createMetricsRegistry } from "../../common/src/metrics.ts";
import { createRedisClient } from "../../common/src/redis-client.ts";
import { type Closer, onShutdownSignal } from "../../common/src/shutdown.ts";
import { buildApp } from "./app.ts";
import { loadApiConfig } from "./config.ts";

// Composition root: the only place that reads configuration, creates connections and exits.
const config = loadApiConfig(process.env);
const logger = createLogger({ level: config.logLevel, service: "scoring-api" });
const registry = createMetricsRegistry("scoring-api");
const features = new FeatureSet(FEATURES);
const closers: Closer[] = [];

let store: OnlineStore;
let readinessProblems: () => string[];
if (config.redisUrl) {
  const redis = createRedisClient(config.redisUrl, {
    commandTimeoutMs: config.redisCommandTimeoutMs,
    name: "riskgate-scoring-api",
  });
  store = new RedisStore(redis, { keyPrefix: config.redisKeyPrefix });
  readinessProblems = () => (redis.status === "ready" ? [] : [`redis is ${redis.status}`]);
  closers.push({ name: "redis", close: async () => void (await redis.quit()) });
} else {
  store = new MemoryStore();
  readinessProblems = () => [];
  logger.warn("REDIS_URL is not set: features live in process memory (embedded default, not for production)");
}

const app = buildApp({
  store,
  features,
  logger,
  registry,
  readiness: { problems: async () => readinessProblems() },
  bodyLimitBytes: config.bodyLimitBytes,
});
await app.listen({ port: config.port, host: config.host });
logger.info({ featureSet: features.version, features: features.names.length }, "scoring-api ready");

closers.unshift({ name: "http server", close: () => app.close() });
process.exit(await onShutdownSignal(logger, closers));

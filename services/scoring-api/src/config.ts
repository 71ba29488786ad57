import { EnvReader } from "../../common/src/env.ts";

export interface ApiConfig {
  readonly port: number;
  readonly host: string;
  /** Unset: the embedded in-memory feature store. */
  readonly redisUrl: string | undefined;
  readonly redisKeyPrefix: string;
  readonly redisCommandTimeoutMs: number;
  readonly bodyLimitBytes: number;
  readonly logLevel: string;
}

/** Parsed once in main.ts; every variable is documented in .env.example. */
export function loadApiConfig(env: NodeJS.ProcessEnv): ApiConfig {
  const r = new EnvReader(env);
  const config: ApiConfig = {
    port: r.int("PORT", 8080, 0, 65_535),
    host: r.string("HOST", "127.0.0.1"),
    redisUrl: r.url("REDIS_URL", ["redis:", "rediss:"]),
    redisKeyPrefix: r.string("REDIS_KEY_PREFIX", "rg:"),
    redisCommandTimeoutMs: r.int("REDIS_COMMAND_TIMEOUT_MS", 50, 1, 10_000),
    bodyLimitBytes: r.int("BODY_LIMIT_BYTES", 64 * 1024, 1024, 10 * 1024 * 1024),
    logLevel: r.oneOf("LOG_LEVEL", ["fatal", "error", "warn", "info", "debug", "trace"], "info"),
  };
  r.done();
  return config;
}

import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { envRedisUrl, loadEnv } from "../src/env.ts";
import { ConfigError } from "../src/errors.ts";
import { parseRedisUrl } from "../src/redis-url.ts";

describe("parseRedisUrl", () => {
  it("keeps a standalone URL as written", () => {
    for (const url of ["redis://127.0.0.1:6399", "rediss://:secret@cache:6380/2", "redis://cache"])
      expect(parseRedisUrl(url)).toEqual({ kind: "standalone", url });
  });

  it("reads a cluster's seed nodes, credentials and TLS", () => {
    expect(parseRedisUrl("redis+cluster://127.0.0.1:7301,127.0.0.1:7302, 127.0.0.1:7303")).toEqual({
      kind: "cluster",
      nodes: [
        { host: "127.0.0.1", port: 7301 },
        { host: "127.0.0.1", port: 7302 },
        { host: "127.0.0.1", port: 7303 },
      ],
      tls: false,
    });
    expect(parseRedisUrl("rediss+cluster://riskgate:p%40ss:w@[::1]:7000,cache-1.internal:7001/")).toEqual({
      kind: "cluster",
      nodes: [
        { host: "::1", port: 7000 },
        { host: "cache-1.internal", port: 7001 },
      ],
      username: "riskgate",
      password: "p@ss:w",
      tls: true,
    });
    expect(parseRedisUrl("redis+cluster://:only-a-password@cache:7000")).toMatchObject({
      password: "only-a-password",
    });
  });

  it("refuses what is neither form", () => {
    for (const url of [
      "",
      "http://cache:6379",
      "redis+cluster://",
      "redis+cluster://cache", // a seed needs its port
      "redis+cluster://cache:0",
      "redis+cluster://cache:70000",
      "redis+cluster://a:1,,b:2",
      "redis+cluster://cache:7000/1", // a cluster has one database
      "redis+cluster://cache:7000?tls=true",
      "redis+sentinel://cache:26379",
      "not a url",
    ])
      expect(parseRedisUrl(url), url).toBeUndefined();
  });
});

describe("envRedisUrl", () => {
  const Schema = Type.Object({ redisUrl: Type.Optional(envRedisUrl("REDIS_URL")) });

  it("accepts either form", () => {
    expect(loadEnv(Schema, { REDIS_URL: "redis://cache:6379" })).toEqual({ redisUrl: "redis://cache:6379" });
    expect(loadEnv(Schema, { REDIS_URL: "redis+cluster://a:7000,b:7000" })).toEqual({
      redisUrl: "redis+cluster://a:7000,b:7000",
    });
  });

  it("names the variable and the forms, never the value (it may hold a password)", () => {
    try {
      loadEnv(Schema, { REDIS_URL: "redis+cluster://:hunter2@cache" });
      expect.unreachable("a cluster seed without a port was accepted");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^REDIS_URL: expected redis:\/\/.*redis\+cluster:\/\//);
      expect(problems.join()).not.toContain("hunter2");
    }
  });
});

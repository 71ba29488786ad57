import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import {
  envInt,
  envList,
  envNumber,
  envOneOf,
  envString,
  envText,
  envUrl,
  envVariables,
  loadEnv,
} from "../src/env.ts";
import { ConfigError } from "../src/errors.ts";

const Schema = Type.Object({
  port: envInt("PORT", 8080, 0, 65_535),
  rate: envNumber("RATE", 0.5, 0.01, 1),
  threshold: Type.Optional(envNumber("THRESHOLD", undefined, 0, 1)),
  host: envString("HOST", "127.0.0.1"),
  modelDir: Type.Optional(envText("MODEL_DIR")),
  action: envOneOf("ACTION", ["allow", "block"], "allow"),
  brokers: envList("BROKERS"),
  redisUrl: Type.Optional(envUrl("REDIS_URL", ["redis:", "rediss:"])),
});

const Required = Type.Object({
  redisUrl: envUrl("REDIS_URL", ["redis:", "rediss:"]),
  brokers: envList("BROKERS", 1),
  port: envInt("PORT", 8080, 0, 65_535),
});

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("loadEnv", () => {
  it("gives every default when nothing is set, and leaves optional values out", () => {
    expect(loadEnv(Schema, {})).toEqual({
      port: 8080,
      rate: 0.5,
      host: "127.0.0.1",
      action: "allow",
      brokers: [],
    });
  });

  it("treats an empty variable as unset", () => {
    expect(loadEnv(Schema, { PORT: "", MODEL_DIR: "", THRESHOLD: "", BROKERS: "" })).toEqual(
      loadEnv(Schema, {}),
    );
  });

  it("converts values to the schema's types and reads only the schema's variables", () => {
    const c = loadEnv(Schema, {
      PORT: "9000",
      RATE: "0.25",
      THRESHOLD: "1e-1",
      HOST: "0.0.0.0",
      MODEL_DIR: "models/x",
      ACTION: "block",
      BROKERS: " k1:9092, k2:9092,,",
      REDIS_URL: "rediss://cache:6380/0",
      UNRELATED: "x",
    });
    expect(c).toEqual({
      port: 9000,
      rate: 0.25,
      threshold: 0.1,
      host: "0.0.0.0",
      modelDir: "models/x",
      action: "block",
      brokers: ["k1:9092", "k2:9092"],
      redisUrl: "rediss://cache:6380/0",
    });
  });

  it("accepts the ends of each range and refuses one step past them", () => {
    expect(loadEnv(Schema, { PORT: "0", RATE: "0.01" })).toMatchObject({ port: 0, rate: 0.01 });
    expect(loadEnv(Schema, { PORT: "65535", RATE: "1" })).toMatchObject({ port: 65_535, rate: 1 });
    expect(problemsOf(() => loadEnv(Schema, { PORT: "65536", RATE: "1.01" }))).toEqual([
      "PORT=65536: expected an integer from 0 to 65535",
      "RATE=1.01: expected a number from 0.01 to 1",
    ]);
    expect(problemsOf(() => loadEnv(Schema, { PORT: "-1", THRESHOLD: "-0.1" }))).toEqual([
      "PORT=-1: expected an integer from 0 to 65535",
      "THRESHOLD=-0.1: expected a number from 0 to 1",
    ]);
  });

  it("refuses a fraction where an integer is expected and words where a number is", () => {
    expect(problemsOf(() => loadEnv(Schema, { PORT: "80.5", RATE: "half" }))).toEqual([
      "PORT=80.5: expected an integer from 0 to 65535",
      "RATE=half: expected a number from 0.01 to 1",
    ]);
  });

  it("reports every problem at once, in the schema's order", () => {
    const problems = problemsOf(() =>
      loadEnv(Schema, { REDIS_URL: "http://cache", ACTION: "maybe", PORT: "http", RATE: "2" }),
    );
    expect(problems).toEqual([
      "PORT=http: expected an integer from 0 to 65535",
      "RATE=2: expected a number from 0.01 to 1",
      "ACTION=maybe: expected one of allow, block",
      "REDIS_URL: expected a URL starting with redis: or rediss:",
    ]);
  });

  it("never echoes a URL, which may carry a password", () => {
    let thrown: unknown;
    try {
      loadEnv(Schema, { REDIS_URL: "https://admin:hunter2-secret@cache:6379", PORT: "x" });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const err = thrown as ConfigError;
    expect(err.problems).toContain("REDIS_URL: expected a URL starting with redis: or rediss:");
    expect(err.message).not.toMatch(/hunter2|admin|cache/);
    expect(problemsOf(() => loadEnv(Schema, { REDIS_URL: "not a url hunter2" })).join()).not.toMatch(
      /hunter2/,
    );
  });

  it("names required variables that are missing, with the other problems", () => {
    expect(problemsOf(() => loadEnv(Required, { PORT: "-5" }))).toEqual([
      "REDIS_URL: required",
      "BROKERS: required",
      "PORT=-5: expected an integer from 0 to 65535",
    ]);
    expect(problemsOf(() => loadEnv(Required, { REDIS_URL: "redis://r", BROKERS: " , " }))).toEqual([
      "BROKERS: expected a comma-separated list of at least 1",
    ]);
    expect(loadEnv(Required, { REDIS_URL: "redis://r", BROKERS: "k:1" })).toEqual({
      redisUrl: "redis://r",
      brokers: ["k:1"],
      port: 8080,
    });
  });

  it("runs the cross-field checks on defaults in place of invalid values and lists their problems too", () => {
    const seen: unknown[] = [];
    const problems = problemsOf(() =>
      loadEnv(Schema, { PORT: "x", THRESHOLD: "0.9" }, (values, problem) => {
        seen.push(values.port);
        if (values.threshold !== undefined && values.threshold > values.rate) problem("THRESHOLD above RATE");
        return values;
      }),
    );
    expect(seen).toEqual([8080]);
    expect(problems).toEqual(["PORT=x: expected an integer from 0 to 65535", "THRESHOLD above RATE"]);
  });

  it("returns what the finishing step builds when nothing is wrong", () => {
    const built = loadEnv(Schema, { PORT: "81" }, (values) => ({ address: `${values.host}:${values.port}` }));
    expect(built).toEqual({ address: "127.0.0.1:81" });
  });
});

describe("envVariables", () => {
  it("lists each variable with the property it feeds and its default", () => {
    const vars = envVariables(Schema).map((v) => [v.name, v.property, v.schema.default]);
    expect(vars).toEqual([
      ["PORT", "port", 8080],
      ["RATE", "rate", 0.5],
      ["THRESHOLD", "threshold", undefined],
      ["HOST", "host", "127.0.0.1"],
      ["MODEL_DIR", "modelDir", undefined],
      ["ACTION", "action", "allow"],
      ["BROKERS", "brokers", ""],
      ["REDIS_URL", "redisUrl", undefined],
    ]);
  });

  it("refuses a property that names no variable", () => {
    expect(() => envVariables(Type.Object({ stray: Type.String() }))).toThrow(/stray/);
  });
});

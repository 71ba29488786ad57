import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  AppError,
  type ClientErrorCode,
  ConfigError,
  ERROR_CODES,
  type ErrorCode,
  statusOf,
  withoutStack,
} from "../src/errors.ts";

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

describe("error catalogue", () => {
  it("gives every code a snake_case name, an HTTP error status and a meaning", () => {
    for (const code of CODES) {
      expect(code).toMatch(/^[a-z][a-z0-9_]*$/);
      const { status, meaning } = ERROR_CODES[code];
      expect([400, 401, 403, 404, 409, 413, 415, 500, 503], code).toContain(status);
      expect(meaning.length, code).toBeGreaterThan(10);
    }
  });

  it("makes AppError take its status from the catalogue, and only catalogue codes", () => {
    const err = new AppError("case_claimed", "held by another reviewer", "id");
    expect([err.code, err.statusCode, err.field, err.message]).toEqual([
      "case_claimed",
      409,
      "id",
      "held by another reviewer",
    ]);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("AppError");
    const bare = new AppError("internal", "model failed");
    expect([bare.statusCode, bare.field]).toEqual([500, undefined]);
    expect(new AppError("unauthenticated", "no key").statusCode).toBe(401);
  });

  it("makes a stackless AppError for bulk errors, and leaves other errors their stacks", () => {
    const err = withoutStack(() => new AppError("timeout", "feature read took longer than 50 ms"));
    expect(err).toBeInstanceOf(AppError);
    expect([err.code, err.statusCode, err.message]).toEqual([
      "timeout",
      500,
      "feature read took longer than 50 ms",
    ]);
    expect(err.stack).toBe("AppError: feature read took longer than 50 ms");
    expect(new AppError("timeout", "x").stack).toMatch(/\n\s+at /);
  });

  it("refuses, when type-checked, a code outside the catalogue or a status of the caller's", () => {
    // Never called: `npm run typecheck` fails if either line stops being a type error.
    const typeErrors = () => [
      // @ts-expect-error a code outside the catalogue
      new AppError("made_up", "x"),
      // @ts-expect-error the status is the catalogue's
      new AppError("forbidden", "x", "authorization", 500),
    ];
    expect(typeErrors).toBeTypeOf("function");
  });

  it("keeps codes that never reach a client out of ClientErrorCode", () => {
    const client: ClientErrorCode[] = ["schema_violation", "forbidden", "labels_unavailable"];
    // @ts-expect-error start-up and operator codes are answered as `internal`, never as themselves
    const internal: ClientErrorCode = "rules_yaml";
    expect([...client, internal].map(statusOf)).toEqual([400, 403, 503, 500]);
  });

  it("is documented code by code in services/common/README.md", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const documented = new Map(
      [...readme.matchAll(/^\|\s*`([a-z0-9_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map((m) => [m[1], Number(m[2])]),
    );
    expect(Object.fromEntries(documented)).toEqual(
      Object.fromEntries(CODES.map((c) => [c, ERROR_CODES[c].status])),
    );
  });
});

describe("ConfigError", () => {
  it("keeps every problem and lists each on its own line of the message", () => {
    const problems = ["PORT=x: expected an integer from 0 to 65535", "REDIS_URL: required"];
    const err = new ConfigError(problems);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: "invalid_config", statusCode: 500, name: "ConfigError", problems });
    expect(err.message.split("\n")).toEqual([
      "invalid configuration:",
      "  PORT=x: expected an integer from 0 to 65535",
      "  REDIS_URL: required",
    ]);
  });
});

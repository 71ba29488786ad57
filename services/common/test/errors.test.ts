import { describe, expect, it } from "vitest";
import { AppError, ConfigError } from "../src/errors.ts";

describe("AppError", () => {
  it("carries a stable code, an HTTP status and the field at fault", () => {
    const err = new AppError("invalid_request", "amount must be positive", 400, "amount");
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      code: "invalid_request",
      statusCode: 400,
      field: "amount",
      name: "AppError",
    });
    expect(err.message).toBe("amount must be positive");
  });

  it("is a server error naming no field unless told otherwise", () => {
    const err = new AppError("internal", "model failed");
    expect(err.statusCode).toBe(500);
    expect(err.field).toBeUndefined();
  });
});

describe("ConfigError", () => {
  it("keeps every problem and lists each on its own line of the message", () => {
    const problems = ["PORT=x: expected an integer from 0 to 65535", "REDIS_URL: required"];
    const err = new ConfigError(problems);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: "invalid_config", name: "ConfigError", problems });
    expect(err.message.split("\n")).toEqual([
      "invalid configuration:",
      "  PORT=x: expected an integer from 0 to 65535",
      "  REDIS_URL: required",
    ]);
  });
});

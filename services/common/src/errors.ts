/** Every error a client or an operator can see carries a stable, documented code. */
export class AppError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly field: string | undefined;

  constructor(code: string, message: string, statusCode = 500, field?: string) {
    super(message);
    this.code = code;
    this.statusCode = statusCode;
    this.field = field;
    this.name = "AppError";
  }
}

export class ConfigError extends AppError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super("invalid_config", `invalid configuration:\n  ${problems.join("\n  ")}`);
    this.problems = problems;
    this.name = "ConfigError";
  }
}

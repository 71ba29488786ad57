/** Every error a client or an operator can see carries a stable, documented code. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 500,
    readonly field?: string,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export class ConfigError extends AppError {
  constructor(readonly problems: readonly string[]) {
    super("invalid_config", `invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

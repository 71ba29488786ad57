import { AppError, type ErrorCode } from "@riskgate/common/errors";

export type RulesErrorCode = Extract<ErrorCode, `rules_${string}`>;

/**
 * Why a rules file was refused. `ruleId` names the offending rule when there is one, so an
 * operator reading a log line or an alert knows where to look without opening a debugger.
 */
export class RulesError extends AppError {
  readonly ruleId: string | undefined;

  constructor(code: RulesErrorCode, message: string, ruleId?: string) {
    super(code, message);
    this.ruleId = ruleId;
    this.name = "RulesError";
  }
}

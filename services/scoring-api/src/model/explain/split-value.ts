import { ZERO_THRESHOLD } from "./lightgbm-text.ts";

/**
 * The value to compare `<= threshold` so that the comparison is LightGBM's NumericalDecision
 * (`goesLeft`) for this decision type: a value that takes the default direction becomes -Infinity
 * (left: -Infinity <= any threshold) or NaN (right: NaN <= anything is false). Only the
 * default-left bit (2) and the missing type (bits 2-3) of `decisionType` matter.
 */
export function splitValue(decisionType: number, value: number): number {
  const missingType = (decisionType >> 2) & 3;
  const defaultDirection = decisionType & 2 ? Number.NEGATIVE_INFINITY : Number.NaN;
  if (missingType === 2) return Number.isNaN(value) ? defaultDirection : value;
  const v = Number.isNaN(value) ? 0 : value; // None and Zero: NaN counts as 0
  if (missingType === 1 && v >= -ZERO_THRESHOLD && v <= ZERO_THRESHOLD) return defaultDirection;
  return v;
}

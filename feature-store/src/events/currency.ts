import { Type } from "@sinclair/typebox";
import table from "./eur-rates.json" with { type: "json" };

/**
 * Accepted currencies: ISO 4217 codes with a reference rate in eur-rates.json (the configuration,
 * dated `as_of`). A code outside ISO 4217, or one the table has no rate for, is refused: an amount
 * the service cannot convert to EUR would otherwise be counted at a made-up rate.
 */
export const EUR_RATES_AS_OF: string = table.as_of;

// ICU's list (Node's Intl) is ISO 4217's current codes; the table is checked against it at load.
const ISO_4217 = new Set(Intl.supportedValuesOf("currency"));

export const EUR_PER_UNIT: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(
    Object.entries(table.eur_per_unit).map(([code, rate]) => {
      if (!ISO_4217.has(code)) throw new Error(`eur-rates.json: ${code} is not an ISO 4217 currency code`);
      if (!(rate > 0)) throw new Error(`eur-rates.json: the rate of ${code} must be positive`);
      return [code, rate];
    }),
  ),
);

export const CURRENCY_CODES: readonly string[] = Object.keys(EUR_PER_UNIT);

/** The contract: one of the configured codes (the OpenAPI document lists them). */
export const Currency = Type.Union(
  CURRENCY_CODES.map((c) => Type.Literal(c)),
  { description: `ISO 4217 code with a reference rate (rates as of ${EUR_RATES_AS_OF})` },
);

/** Why a currency is refused, for the error message: not a code at all, or one without a rate. */
export function currencyProblem(code: string): string {
  return ISO_4217.has(code)
    ? `${code} is an ISO 4217 code without a configured EUR rate; accepted: ${CURRENCY_CODES.join(", ")}`
    : `not an ISO 4217 currency code; accepted: ${CURRENCY_CODES.join(", ")}`;
}

import { AppError } from "@riskgate/common/errors";
import { decoderFor, describeValueError } from "@riskgate/feature-store/events";
import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";
import type { FastifySchemaCompiler } from "fastify";

const NUMERIC = /^-?\d+(\.\d+)?$/;

/**
 * A numeric parameter becomes that number exactly; anything else stays as sent for the check to
 * refuse. (TypeBox's Value.Convert would truncate `limit=1.5` to 1.)
 */
function fromStrings(schema: TSchema, value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value ?? {})) {
    const type = (schema.properties as Record<string, TSchema> | undefined)?.[name]?.type;
    const numeric = typeof v === "string" && (type === "integer" || type === "number") && NUMERIC.test(v);
    out[name] = numeric ? Number(v) : v;
  }
  return out;
}

/**
 * Fastify's validator for every route: the route's TypeBox schema is the check, so one schema
 * gives the handler's types, the validation and the OpenAPI document.
 *
 * Bodies go through the event decoders, the code the Kafka consumer runs: unknown fields rejected,
 * dates checked, card numbers refused, nothing coerced or stripped; a refusal is an
 * EventDecodeError naming the field as a JSON pointer. Query and path parameters arrive as
 * strings, so they are converted to the schema's types and defaulted first; a refusal names the
 * parameter, as the other non-body fields (`authorization`, `content-type`) are named.
 */
export const contractValidator: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  if (httpPart === "body") {
    const decode = decoderFor(schema);
    return (value) => {
      try {
        return { value: decode(value) };
      } catch (err) {
        return { error: err as Error };
      }
    };
  }
  const checker = TypeCompiler.Compile(schema);
  return (value) => {
    const converted = Value.Default(schema, fromStrings(schema, value));
    if (checker.Check(converted)) return { value: converted };
    const first = checker.Errors(converted).First();
    const name = first?.path.split("/")[1] || httpPart;
    const message = first ? describeValueError(first) : "invalid";
    return { error: new AppError("schema_violation", `${name}: ${message}`, name) };
  };
};

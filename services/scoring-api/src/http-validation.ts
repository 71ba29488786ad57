import { AppError } from "@riskgate/common/errors";
import {
  AnyEvent,
  Checkout,
  type DomainEvent,
  decoderFor,
  describeValueError,
  EventDecodeError,
} from "@riskgate/feature-store/events";
import { type Admission, admitCheckout, admitEvent } from "@riskgate/feature-store/update";
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

/** A body decoder, then for events what the Kafka consumer does next (feature-store admission). */
function bodyDecoder(schema: TSchema, admission: Admission): (value: unknown) => unknown {
  const decode = decoderFor(schema);
  if (schema === Checkout) return (value) => admitCheckout(decode(value) as Checkout, admission);
  // A client's body, whatever it carries: pseudonym-shaped ids are hashed again, labels included.
  if (schema === AnyEvent) return (value) => admitEvent(decode(value) as DomainEvent, admission, "client");
  return decode;
}

/**
 * Fastify's validator for every route: the route's TypeBox schema is the check, so one schema
 * gives the handler's types, the validation and the OpenAPI document.
 *
 * Bodies go through the event decoders, the code the Kafka consumer runs: unknown fields rejected,
 * dates checked, IP addresses canonicalised, card numbers refused, nothing else coerced or
 * stripped; a refusal is an EventDecodeError naming the field as a JSON pointer. Events and
 * checkouts are then admitted as the consumer admits them: a future `occurred_at` refused,
 * identifiers replaced by their pseudonyms, so no handler ever holds a raw identifier. Query and
 * path parameters arrive as strings, so they are converted to the schema's types and defaulted
 * first; a refusal names the parameter, as the other non-body fields (`authorization`,
 * `content-type`) are named.
 */
export function contractValidator(
  admission: Admission,
  onRefused: (code: EventDecodeError["code"]) => void,
): FastifySchemaCompiler<TSchema> {
  return ({ schema, httpPart }) =>
    httpPart === "body" ? bodyValidator(schema, admission, onRefused) : paramValidator(schema, httpPart);
}

function bodyValidator(
  schema: TSchema,
  admission: Admission,
  onRefused: (code: EventDecodeError["code"]) => void,
) {
  const decode = bodyDecoder(schema, admission);
  return (value: unknown) => {
    try {
      return { value: decode(value) };
    } catch (err) {
      if (err instanceof EventDecodeError) onRefused(err.code);
      return { error: err as Error };
    }
  };
}

function paramValidator(schema: TSchema, httpPart: string | undefined) {
  const checker = TypeCompiler.Compile(schema);
  return (value: unknown) => {
    const converted = Value.Default(schema, fromStrings(schema, value));
    if (checker.Check(converted)) return { value: converted };
    const first = checker.Errors(converted).First();
    const name = first?.path.split("/")[1] || httpPart || "/";
    const message = first ? describeValueError(first) : "invalid";
    return { error: new AppError("schema_violation", `${name}: ${message}`, name) };
  };
}

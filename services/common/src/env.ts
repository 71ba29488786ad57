import { type Static, type TObject, type TSchema, Type } from "@sinclair/typebox";
import envSchema from "env-schema";
import { ConfigError } from "./errors.ts";
import { parseRedisUrl, REDIS_URL_FORMS } from "./redis-url.ts";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Configuration helpers: a service describes its configuration as one TypeBox object whose
 * properties are named as the code reads them (`port`) and whose schemas say which environment
 * variable feeds them (`env: "PORT"`), with the default and range. loadEnv() reads it through
 * env-schema (Ajv: coercion, defaults) and reports every problem at once.
 */

/** pino's levels, for LOG_LEVEL. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"] as const;

/** A string; absent or empty gives the default. */
export const envString = (env: string, fallback: string) => Type.String({ env, default: fallback });

/** A string with no default: wrap in Type.Optional() unless the service cannot run without it. */
export const envText = (env: string) => Type.String({ env });

export const envInt = (env: string, fallback: number, minimum: number, maximum: number) =>
  Type.Integer({ env, default: fallback, minimum, maximum });

/** A number; without a fallback (undefined) it has no default, so wrap it in Type.Optional(). */
export const envNumber = (env: string, fallback: number | undefined, minimum: number, maximum: number) =>
  Type.Number({ env, minimum, maximum, ...(fallback === undefined ? {} : { default: fallback }) });

export const envOneOf = <const T extends readonly [string, ...string[]]>(
  env: string,
  allowed: T,
  fallback: T[number],
) => Type.Unsafe<T[number]>({ env, type: "string", enum: [...allowed], default: fallback });

/**
 * A comma-separated list, items trimmed, empty items dropped. With `atLeast` > 0 the variable has
 * no default and must name that many items.
 */
export const envList = (env: string, atLeast = 0) =>
  Type.Unsafe<string[]>({ env, type: "string", commaList: atLeast, ...(atLeast > 0 ? {} : { default: "" }) });

/**
 * A URL with one of the given protocols (`redis:`), kept as written. Its value is never echoed in a
 * problem: it may hold a password. Wrap in Type.Optional() when the service runs without it.
 */
export const envUrl = (env: string, protocols: readonly string[]) =>
  Type.String({ env, protocols: [...protocols] });

/**
 * REDIS_URL: one Redis or a Redis Cluster, in the forms of redis-url.ts. Never echoed in a problem
 * (it may hold a password). Wrap in Type.Optional() when the service runs without it.
 */
export const envRedisUrl = (env: string) => Type.String({ env, redisUrl: true });

/** What the schema of one variable says, read back from the annotations the helpers above set. */
interface VarSchema {
  readonly env?: string;
  readonly type?: string;
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly enum?: readonly string[];
  readonly protocols?: readonly string[];
  readonly redisUrl?: boolean;
  readonly commaList?: number;
}

/** Environment variables of a configuration schema: name, the property it feeds and its schema. */
export function envVariables(schema: TObject): { name: string; property: string; schema: VarSchema }[] {
  return Object.entries(schema.properties).map(([property, s]) => {
    const v = s as VarSchema;
    if (typeof v.env !== "string")
      throw new Error(`configuration property ${property} names no env variable`);
    return { name: v.env, property, schema: v };
  });
}

/**
 * Reads `schema` from `env` and returns `finish(values)`. Empty variables count as unset. Every
 * problem is collected: invalid values first fall back to their defaults, so that `finish` can still
 * run its cross-field checks and add its own problems through `problem`; then one ConfigError lists
 * them all. A problem names the variable and echoes its value only for numbers and closed sets.
 */
export function loadEnv<S extends TObject>(schema: S, env: Env): Static<S>;
export function loadEnv<S extends TObject, C>(
  schema: S,
  env: Env,
  finish: (values: Static<S>, problem: (message: string) => void) => C,
): C;
export function loadEnv<S extends TObject, C>(
  schema: S,
  env: Env,
  finish?: (values: Static<S>, problem: (message: string) => void) => C,
): C | Static<S> {
  const vars = envVariables(schema);
  const data: Record<string, string> = {};
  for (const v of vars) {
    const raw = env[v.name];
    if (raw !== undefined && raw !== "") data[v.name] = raw;
  }
  const ajvSchema = {
    type: "object",
    properties: Object.fromEntries(vars.map((v) => [v.name, withoutAnnotation(v.schema)])),
    required: vars.filter((v) => schema.required?.includes(v.property)).map((v) => v.name),
  };
  const first = validate(ajvSchema, data);
  const problems = vars.flatMap((v) => {
    const issue = first.issues.get(v.name);
    return issue === undefined ? [] : [describe(v.name, v.schema, issue, data[v.name])];
  });
  let values = first.values;
  if (values === undefined && ![...first.issues.values()].includes("required")) {
    for (const name of first.issues.keys()) delete data[name];
    values = validate(ajvSchema, data).values;
  }
  if (values === undefined) throw new ConfigError(problems);
  const typed = Object.fromEntries(vars.map((v) => [v.property, values[v.name]])) as Static<S>;
  const result = finish ? finish(typed, (m) => problems.push(m)) : typed;
  if (problems.length > 0) throw new ConfigError(problems);
  return result;
}

type Issue = "required" | "invalid";

function validate(
  schema: object,
  data: Record<string, string>,
): { values?: Record<string, unknown>; issues: Map<string, Issue> } {
  try {
    return {
      values: envSchema({ schema, data: { ...data }, env: false, ajv: { customOptions } }),
      issues: new Map(),
    };
  } catch (err) {
    const errors = (err as { errors?: AjvError[] }).errors;
    if (!errors) throw err;
    const issues = new Map<string, Issue>();
    for (const e of errors) {
      if (e.keyword === "required") issues.set(String(e.params.missingProperty), "required");
      else issues.set(e.instancePath.slice(1), "invalid");
    }
    return { issues };
  }
}

interface AjvError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
}

function describe(name: string, s: VarSchema, issue: Issue, raw: string | undefined): string {
  if (issue === "required") return `${name}: required`;
  const echo = s.type === "integer" || s.type === "number" || s.enum !== undefined;
  return `${echo ? `${name}=${raw}` : name}: ${expectation(s)}`;
}

function expectation(s: VarSchema): string {
  if (s.redisUrl) return `expected ${REDIS_URL_FORMS}`;
  if (s.protocols) return `expected a URL starting with ${s.protocols.join(" or ")}`;
  if (s.enum) return `expected one of ${s.enum.join(", ")}`;
  if (s.commaList !== undefined) return `expected a comma-separated list of at least ${s.commaList}`;
  if (s.type === "integer") return `expected an integer from ${s.minimum} to ${s.maximum}`;
  if (s.type === "number") return `expected a number from ${s.minimum} to ${s.maximum}`;
  return "invalid value";
}

/** The `env` annotation is ours, not JSON Schema: Ajv's strict mode would refuse it. */
function withoutAnnotation(s: VarSchema): TSchema {
  const { env: _env, ...rest } = s;
  return rest as TSchema;
}

interface Ajv {
  addKeyword(definition: object): Ajv;
}

/** Our three keywords, added to each Ajv instance env-schema creates. */
function customOptions<A>(instance: A): A {
  (instance as Ajv)
    .addKeyword({
      keyword: "commaList",
      type: "string",
      schemaType: "number",
      modifying: true,
      errors: false,
      validate: (atLeast: number, value: string, _s: unknown, cxt: DataCxt) => {
        const list = value
          .split(",")
          .map((item) => item.trim())
          .filter((item) => item.length > 0);
        cxt.parentData[cxt.parentDataProperty] = list;
        return list.length >= atLeast;
      },
    })
    .addKeyword({
      keyword: "redisUrl",
      type: "string",
      schemaType: "boolean",
      errors: false,
      validate: (_on: boolean, value: string) => parseRedisUrl(value) !== undefined,
    })
    .addKeyword({
      keyword: "protocols",
      type: "string",
      schemaType: "array",
      errors: false,
      validate: (protocols: readonly string[], value: string) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
    });
  return instance;
}

interface DataCxt {
  readonly parentData: Record<string, unknown>;
  readonly parentDataProperty: string;
}

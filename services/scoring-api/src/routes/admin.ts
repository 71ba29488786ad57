import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { AppError } from "@riskgate/common/errors";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyBaseLogger } from "fastify";
import type { ApiKey } from "../auth/api-keys.ts";
import { requireScope } from "../auth/require-scope.ts";
import type { KillSwitch } from "../killswitch/kill-switch.ts";
import { GLOBAL, modelTarget, type SwitchState, type Target } from "../killswitch/types.ts";
import type { ModelRouter } from "../model/model-router.ts";
import { AUTH_ERRORS, BODY_ERRORS, errorResponses } from "./schemas.ts";
import type { TypedApp } from "./typed-app.ts";

export interface AdminRouteDeps {
  readonly keys: readonly ApiKey[];
  readonly killSwitch: KillSwitch;
  readonly router: ModelRouter;
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T, description: string) =>
  Type.Union([t, Type.Null()], { description });

const SwitchStateSchema = Type.Object(
  {
    engaged: Type.Boolean(),
    reason: Nullable(Type.String(), "Why it was last changed; null if never set"),
    actor: Nullable(Type.String(), "Name of the key holder who last changed it (never the key)"),
    changed_at: Nullable(Type.String({ format: "date-time" }), "When it was last changed"),
    version: Type.Integer({ description: "Store version created by the last change (0: never set)" }),
  },
  { $id: "KillSwitchState" },
);

const GlobalSwitchSchema = Type.Object(
  {
    engaged: Type.Boolean(),
    reason: Nullable(Type.String(), "Why it was last changed; null if never set"),
    actor: Nullable(Type.String(), "Name of the key holder who last changed it (never the key)"),
    changed_at: Nullable(Type.String({ format: "date-time" }), "When it was last changed"),
    version: Type.Integer({ description: "Store version created by the last change (0: never set)" }),
    mode: Type.Union([Type.Literal("normal"), Type.Literal("rules_only")], {
      description: "What this replica serves because of the switch",
    }),
    store: Type.Union([Type.Literal("redis"), Type.Literal("memory")]),
    store_version: Type.Integer({ description: "Latest change of any switch this replica has applied" }),
    stale: Type.Boolean({
      description: "true: this replica could not reach the store recently and serves the last known state",
    }),
    last_synced_at: Nullable(
      Type.String({ format: "date-time" }),
      "Last successful read of the store by this replica",
    ),
  },
  { $id: "GlobalKillSwitch" },
);

const ModelEntrySchema = Type.Object(
  {
    name: Type.String(),
    version: Type.String(),
    role: Type.Union([Type.Literal("champion"), Type.Literal("canary"), Type.Literal("shadow")]),
    canary_percent: Type.Optional(Type.Number()),
    serving: Type.Boolean({ description: "false when the global or this version's switch is engaged" }),
    kill_switch: SwitchStateSchema,
  },
  { $id: "ModelEntry" },
);

const AuditEntrySchema = Type.Object(
  {
    id: Type.String({ description: "Audit log entry id (Redis stream id)" }),
    version: Type.Integer(),
    target: Type.String({ description: "`global` or `model:<version>`" }),
    engaged: Type.Boolean(),
    previous_engaged: Type.Boolean(),
    reason: Type.String(),
    actor: Type.String({ description: "Name of the key holder who made the change" }),
    changed_at: Type.String({ format: "date-time" }),
  },
  { $id: "KillSwitchAuditEntry" },
);

const ChangeBody = Type.Object(
  {
    engaged: Type.Boolean({ description: "true: switch the model(s) off; false: back on" }),
    reason: Type.String({
      minLength: 1,
      maxLength: 500,
      pattern: "\\S",
      description: "Why (audited; surrounding whitespace trimmed)",
    }),
  },
  { additionalProperties: false },
);

const errors = errorResponses(...AUTH_ERRORS);
const bodyErrors = errorResponses(...AUTH_ERRORS, ...BODY_ERRORS, "kill_switch_unavailable");
const DEFAULT_AUDIT_LIMIT = 100;
const security = [{ bearer: [] }];
const tags = ["admin"];

/** Kill-switch and model administration, scope `admin`. */
export function adminRoutes(app: TypedApp, deps: AdminRouteDeps): void {
  const { killSwitch: ks, router } = deps;

  const globalView = () => ({
    ...ks.state(GLOBAL),
    mode: ks.globalEngaged() ? ("rules_only" as const) : ("normal" as const),
    ...ks.status(),
  });

  const models = () => modelEntries(router, ks);

  app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<TypeBoxTypeProvider>();
    scope.addHook("onRequest", requireScope(deps.keys, "admin"));
    // `curl -d '{…}'` without a content-type header sends form encoding: read it as JSON, so the
    // one-liner an operator types during an incident works.
    scope.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string" },
      scope.getDefaultJsonParser("error", "error"),
    );

    scope.get(
      "/v1/admin/kill-switch",
      {
        schema: {
          summary: "The global kill-switch as this replica sees it",
          tags,
          security,
          response: { 200: GlobalSwitchSchema, ...errors },
        },
      },
      async () => globalView(),
    );

    scope.put(
      "/v1/admin/kill-switch",
      {
        schema: {
          summary: "Engage or disengage the global kill-switch",
          description:
            "engaged: true takes every model out (decisions on rules alone, mode rules_only) on every replica " +
            "within a second; false restores the models. Every change is audited with the caller's name.",
          tags,
          security,
          body: ChangeBody,
          response: { 200: GlobalSwitchSchema, ...bodyErrors },
        },
      },
      async (req) => {
        await change(ks, req.log, GLOBAL, req.body, req.apiKey);
        return globalView();
      },
    );

    scope.get(
      "/v1/admin/models",
      {
        schema: {
          summary: "Loaded models with their role and kill-switch state",
          tags,
          security,
          response: {
            200: Type.Object({ global_engaged: Type.Boolean(), models: Type.Array(ModelEntrySchema) }),
            ...errors,
          },
        },
      },
      async () => ({ global_engaged: ks.globalEngaged(), models: models() }),
    );

    scope.put(
      "/v1/admin/models/:version/kill-switch",
      {
        schema: {
          summary: "Engage or disengage the kill-switch of one model version",
          description:
            "A disabled canary's users are decided by the champion; a disabled shadow is not scored; a " +
            "disabled champion means rules only. 404 for a version this replica has not loaded.",
          tags,
          security,
          params: Type.Object({ version: Type.String({ minLength: 1, maxLength: 200 }) }),
          body: ChangeBody,
          response: {
            200: ModelEntrySchema,
            ...errorResponses(...AUTH_ERRORS, ...BODY_ERRORS, "not_found", "kill_switch_unavailable"),
          },
        },
      },
      async (req) => {
        const { version } = req.params;
        if (!models().some((m) => m.version === version)) {
          throw new AppError("not_found", `no loaded model has version '${version}'`, "version");
        }
        await change(ks, req.log, modelTarget(version), req.body, req.apiKey);
        return models().find((m) => m.version === version);
      },
    );

    scope.get(
      "/v1/admin/audit",
      {
        schema: {
          summary: "Kill-switch audit log, newest first",
          tags,
          security,
          querystring: Type.Object({
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: DEFAULT_AUDIT_LIMIT })),
          }),
          response: {
            200: Type.Object({ entries: Type.Array(AuditEntrySchema) }),
            ...errorResponses(...AUTH_ERRORS, "schema_violation", "kill_switch_unavailable"),
          },
        },
      },
      async (req) => {
        try {
          return { entries: await ks.audit(req.query.limit ?? DEFAULT_AUDIT_LIMIT) };
        } catch (err) {
          req.log.error({ err }, "kill-switch audit read failed");
          throw new AppError(
            "kill_switch_unavailable",
            "the kill-switch store (Redis) is unreachable: retry when it is back",
          );
        }
      },
    );
  });
}

/** The loaded models with their role, whether they serve, and their switch (also the console's model list). */
export function modelEntries(router: ModelRouter, ks: KillSwitch) {
  const entry = (m: { name: string; version: string }, role: "champion" | "canary" | "shadow") => ({
    name: m.name,
    version: m.version,
    role,
    ...(role === "canary" && router.canary ? { canary_percent: router.canary.percent } : {}),
    serving: !ks.globalEngaged() && !ks.versionEngaged(m.version),
    kill_switch: ks.state(modelTarget(m.version)) as SwitchState,
  });
  return [
    entry(router.champion, "champion"),
    ...(router.canary ? [entry(router.canary.model, "canary")] : []),
    ...router.shadows.map((s) => entry(s, "shadow")),
  ];
}

/** Applies a change; a store that cannot be reached is a 503 (nothing changed anywhere), not a 500. */
async function change(
  ks: KillSwitch,
  log: FastifyBaseLogger,
  target: Target,
  body: Static<typeof ChangeBody>,
  key: ApiKey | undefined,
): Promise<void> {
  try {
    await ks.set(target, { engaged: body.engaged, reason: body.reason.trim(), actor: actorOf(key) });
  } catch (err) {
    log.error({ target, err }, "kill-switch change failed: store unreachable");
    throw new AppError(
      "kill_switch_unavailable",
      "the kill-switch store (Redis) is unreachable: nothing was changed; retry when it is back",
    );
  }
}

function actorOf(key: ApiKey | undefined): string {
  // requireScope ran first, so there is always a key.
  if (!key) throw new AppError("unauthenticated", "no API key", "authorization");
  return key.name;
}

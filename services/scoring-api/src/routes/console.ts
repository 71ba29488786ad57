import { Type } from "@sinclair/typebox";
import type { ApiKey } from "../auth/api-keys.ts";
import { SCOPES } from "../auth/api-keys.ts";
import { authenticateRequest, requireScope } from "../auth/require-scope.ts";
import { type ConsoleSummary, ConsoleSummarySchema } from "../console/summary-schema.ts";
import { AUTH_ERRORS, errorResponses } from "./schemas.ts";
import type { TypedApp } from "./typed-app.ts";

export interface ConsoleRouteDeps {
  readonly keys: readonly ApiKey[];
  consoleSummary(): Promise<ConsoleSummary>;
}

const SessionSchema = Type.Object(
  {
    name: Type.String({ description: "The key holder's configured name, else the key id" }),
    key_id: Type.String({ description: "Non-secret id of the key (`key_` + 8 hex of its hash)" }),
    scopes: Type.Array(Type.Union(SCOPES.map((s) => Type.Literal(s)))),
  },
  { $id: "ConsoleSession" },
);

const security = [{ bearer: [] }];
const tags = ["console"];

/** The JSON the operator console (/console) reads: who the key is, and the live summary. */
export function consoleRoutes(app: TypedApp, deps: ConsoleRouteDeps): void {
  app.get(
    "/v1/console/session",
    {
      schema: {
        summary: "Who this API key belongs to and what it may do",
        description: "Any valid key: the console signs in with it and shows the views its scopes allow.",
        tags,
        security,
        response: { 200: SessionSchema, ...errorResponses("unauthenticated") },
      },
    },
    async (req) => {
      const key = authenticateRequest(deps.keys, req);
      return { name: key.name, key_id: key.id, scopes: SCOPES.filter((s) => key.scopes.has(s)) };
    },
  );

  app.get(
    "/v1/console/summary",
    {
      onRequest: requireScope(deps.keys, "admin", "review"),
      schema: {
        summary:
          "Live view of this replica: decision rates, latency, breakers, models, review backlog, rules",
        description:
          "Scope admin or review. Rates and latencies cover about the last 10 s of this replica (a ring of " +
          "per-second samples of its counters); behind a load balancer each replica answers for itself.",
        tags,
        security,
        response: { 200: ConsoleSummarySchema, ...errorResponses(...AUTH_ERRORS) },
      },
    },
    async () => deps.consoleSummary(),
  );
}

import { AppError } from "@riskgate/common/errors";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type ApiKey, authenticate, type Scope } from "./api-keys.ts";

declare module "fastify" {
  interface FastifyRequest {
    apiKey?: ApiKey;
  }
}

/** An onRequest hook (it runs before the body is read) that admits requests whose bearer key carries the scope: 401 without a valid key, 403 without the scope. */
export function requireScope(keys: readonly ApiKey[], scope: Scope) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const header = req.headers.authorization;
    const match = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw new AppError("unauthenticated", "send Authorization: Bearer <api key>", "authorization");
    }
    const key = authenticate(keys, match[1] as string);
    if (!key) throw new AppError("unauthenticated", "the API key is not valid", "authorization");
    if (!key.scopes.has(scope)) {
      throw new AppError("forbidden", `this API key lacks the '${scope}' scope`, "authorization");
    }
    req.apiKey = key;
  };
}

import { AppError } from "@riskgate/common/errors";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type ApiKey, authenticate, type Scope } from "./api-keys.ts";

declare module "fastify" {
  interface FastifyRequest {
    apiKey?: ApiKey;
  }
}

/** The key a request's bearer token names: 401 without one or with a key that is not configured. */
export function authenticateRequest(keys: readonly ApiKey[], req: FastifyRequest): ApiKey {
  const header = req.headers.authorization;
  const match = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) {
    throw new AppError("unauthenticated", "send Authorization: Bearer <api key>", "authorization");
  }
  const key = authenticate(keys, match[1] as string);
  if (!key) throw new AppError("unauthenticated", "the API key is not valid", "authorization");
  return key;
}

/**
 * An onRequest hook (it runs before the body is read) that admits requests whose bearer key carries
 * the scope, or any one of the scopes given: 401 without a valid key, 403 without the scope.
 */
export function requireScope(keys: readonly ApiKey[], scope: Scope, ...orScopes: Scope[]) {
  const accepted = [scope, ...orScopes];
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const key = authenticateRequest(keys, req);
    if (!accepted.some((s) => key.scopes.has(s))) {
      const wanted = accepted.map((s) => `'${s}'`).join(" or ");
      throw new AppError("forbidden", `this API key lacks the ${wanted} scope`, "authorization");
    }
    req.apiKey = key;
  };
}

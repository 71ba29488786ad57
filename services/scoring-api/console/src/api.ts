import type { ConsoleSummary } from "../../src/console/summary-schema.ts";
import type { ReviewCase } from "../../src/review/review-case.ts";

export type { ConsoleSummary, ReviewCase };
export type Scope = "score" | "review" | "admin";

export interface Session {
  name: string;
  key_id: string;
  scopes: Scope[];
}

export interface SwitchState {
  engaged: boolean;
  reason: string | null;
  actor: string | null;
  changed_at: string | null;
  version: number;
}

export interface GlobalSwitch extends SwitchState {
  mode: "normal" | "rules_only";
  stale: boolean;
  store: "redis" | "memory";
}

export interface ModelEntry {
  name: string;
  version: string;
  role: "champion" | "canary" | "shadow";
  canary_percent?: number;
  serving: boolean;
  kill_switch: SwitchState;
}

export interface AuditEntry {
  id: string;
  target: string;
  engaged: boolean;
  previous_engaged: boolean;
  reason: string;
  actor: string;
  changed_at: string;
}

/** An error answer of the API: its stable code, message and the field it names. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;

  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

const KEY = "riskgate.console.apiKey";

/** The key lives in sessionStorage: gone when the tab closes, never in a cookie or on disk. */
export const storedKey = () => sessionStorage.getItem(KEY);
export const storeKey = (key: string) => sessionStorage.setItem(KEY, key);
export const forgetKey = () => sessionStorage.removeItem(KEY);

/** The API as the signed-in key sees it; every call carries the key as a bearer token. */
export class Api {
  private readonly key: string;

  constructor(key: string) {
    this.key = key;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = await res.json().catch(() => null);
    if (!res.ok) {
      const e = json?.error ?? {};
      throw new ApiError(res.status, e.code ?? "http_error", e.message ?? `HTTP ${res.status}`, e.field);
    }
    return json as T;
  }

  session = () => this.call<Session>("GET", "/v1/console/session");
  summary = () => this.call<ConsoleSummary>("GET", "/v1/console/summary");
  globalSwitch = () => this.call<GlobalSwitch>("GET", "/v1/admin/kill-switch");
  models = () => this.call<{ global_engaged: boolean; models: ModelEntry[] }>("GET", "/v1/admin/models");
  audit = (limit = 50) => this.call<{ entries: AuditEntry[] }>("GET", `/v1/admin/audit?limit=${limit}`);
  setGlobal = (engaged: boolean, reason: string) =>
    this.call<GlobalSwitch>("PUT", "/v1/admin/kill-switch", { engaged, reason });
  setModel = (version: string, engaged: boolean, reason: string) =>
    this.call<ModelEntry>("PUT", `/v1/admin/models/${encodeURIComponent(version)}/kill-switch`, {
      engaged,
      reason,
    });
  cases = (status: string, limit = 50) =>
    this.call<{ cases: ReviewCase[]; next_cursor: string | null }>(
      "GET",
      `/v1/review/cases?status=${encodeURIComponent(status)}&limit=${limit}`,
    );
  getCase = (id: string) => this.call<ReviewCase>("GET", `/v1/review/cases/${encodeURIComponent(id)}`);
  claim = (id: string) => this.call<ReviewCase>("POST", `/v1/review/cases/${encodeURIComponent(id)}/claim`);
  resolve = (id: string, label: "fraud" | "legit", note: string) =>
    this.call<ReviewCase>("POST", `/v1/review/cases/${encodeURIComponent(id)}/resolve`, { label, note });
}

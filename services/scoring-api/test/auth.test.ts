// API keys on POST /v1/score: 401 without a valid bearer key, 403 without the score scope, keys never
// echoed; and the RISKGATE_API_KEYS parsing and the development key generation behind them.

import { createHash } from "node:crypto";
import { ConfigError } from "@riskgate/common/errors";
import { type ApiHarness, bearer, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { checkout, T0 } from "@riskgate/test-support/events";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate, generateKeys, parseApiKeys, SCOPES } from "../src/auth/api-keys.ts";
import { composeScoringApi } from "../src/compose.ts";
import { loadApiConfig } from "../src/config.ts";

const WRONG_KEY = "wrong-key-0123456789abcdef";

describe("POST /v1/score authentication and scopes", () => {
  let api: ApiHarness;
  let n = 0;
  /** Every response body and header seen, to check no key is ever echoed. */
  const seen: string[] = [];
  const statuses = new Set<string>();

  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  async function score(headers: Record<string, string>, payload: unknown = checkout(`auth_${n++}`, T0)) {
    const res = await api.app.inject({
      method: "POST",
      url: "/v1/score",
      headers,
      payload: payload as object,
    });
    seen.push(res.body, JSON.stringify(res.headers));
    statuses.add(String(res.statusCode));
    return res;
  }

  function expectUnauthenticated(res: Awaited<ReturnType<typeof score>>) {
    expect(res.statusCode).toBe(401);
    expect(res.headers["www-authenticate"]).toBe("Bearer");
    expect(res.json().error).toMatchObject({ code: "unauthenticated", field: "authorization" });
  }

  it("401 with www-authenticate: Bearer without an Authorization header", async () => {
    const res = await score({});
    expectUnauthenticated(res);
    expect(res.json().error.message).toMatch(/Bearer/);
  });

  it.each([
    ["Basic credentials", `Basic ${Buffer.from(`user:${TOKENS.score}`).toString("base64")}`],
    ["Basic scheme with the raw key", `Basic ${TOKENS.score}`],
    ["Bearer without a token", "Bearer"],
    ["Bearer with only spaces", "Bearer    "],
    ["a bare key without a scheme", TOKENS.score],
    ["another scheme", `Token ${TOKENS.score}`],
    ["two tokens", `Bearer ${TOKENS.score} ${TOKENS.all}`],
    ["an empty header", ""],
  ])("401 for a malformed header: %s", async (_label, authorization) => {
    expectUnauthenticated(await score({ authorization }));
  });

  it.each([
    ["an unknown key", WRONG_KEY],
    ["a score key with one character changed", `${TOKENS.score.slice(0, -1)}X`],
    ["a prefix of the score key", TOKENS.score.slice(0, 16)],
    ["the score key with a suffix", `${TOKENS.score}0`],
    ["the score key upper-cased", TOKENS.score.toUpperCase()],
  ])("401 for a wrong key: %s", async (_label, token) => {
    const res = await score(bearer(token));
    expectUnauthenticated(res);
    expect(res.json().error.message).toMatch(/not valid/);
  });

  it.each([
    ["review", TOKENS.review],
    ["admin", TOKENS.admin],
  ])("403 forbidden naming the missing scope for a %s-only key", async (_scope, token) => {
    const res = await score(bearer(token));
    expect(res.statusCode).toBe(403);
    expect(res.headers["www-authenticate"]).toBeUndefined();
    const error = res.json().error;
    expect(error.code).toBe("forbidden");
    expect(error.message).toContain("'score'");
  });

  it.each([
    ["the score key", TOKENS.score],
    ["the all-scopes key", TOKENS.all],
  ])("200 with %s", async (_label, token) => {
    const res = await score(bearer(token), checkout(`auth_ok_${n++}`, T0));
    expect(res.statusCode).toBe(200);
    expect(res.json().decision).toMatch(/^(allow|review|block)$/);
  });

  it("accepts the scheme name in any case (RFC 7235) and surrounding whitespace", async () => {
    expect((await score({ authorization: `bearer ${TOKENS.score}` })).statusCode).toBe(200);
    expect((await score({ authorization: `BEARER   ${TOKENS.score}  ` })).statusCode).toBe(200);
  });

  it("checks the key before the body: an unauthenticated or forbidden bad body learns nothing about it", async () => {
    const bad = { ...checkout(`auth_bad_${n++}`, T0), coupon: "x" };
    expectUnauthenticated(await score({}, bad));
    expectUnauthenticated(await score(bearer(WRONG_KEY), bad));
    const forbidden = await score(bearer(TOKENS.review), bad);
    expect(forbidden.statusCode).toBe(403);
    // With the right key the same body is a 400 naming the field.
    const res = await score(bearer(TOKENS.score), bad);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe("/coupon");
  });

  it("answered only statuses the OpenAPI document lists for POST /v1/score", async () => {
    const doc = (await api.app.inject({ method: "GET", url: "/docs/json" })).json();
    const documented = Object.keys(doc.paths["/v1/score"].post.responses);
    expect([...statuses]).toEqual(expect.arrayContaining(["200", "400", "401", "403"]));
    expect([...statuses].filter((s) => !documented.includes(s))).toEqual([]);
  });

  it("never echoes a key, right or wrong, in any response", () => {
    expect(seen.length).toBeGreaterThan(20);
    const secrets = [...Object.values(TOKENS), WRONG_KEY, TOKENS.score.slice(0, 16)];
    const leaks = seen.filter((text) => secrets.some((s) => text.includes(s)));
    expect(leaks).toEqual([]);
  });
});

describe("RISKGATE_API_KEYS parsing", () => {
  const K1 = "k1-0123456789abcdefXYZ";
  const K2 = "k2-abcdefghijklmnop123";

  it("parses scopes:key entries, scopes joined by +, ignoring blanks and surrounding spaces", () => {
    const { keys, problems } = parseApiKeys(` score:${K1} , ,review+admin:${K2},`);
    expect(problems).toEqual([]);
    expect(keys.map((k) => [...k.scopes].sort())).toEqual([["score"], ["admin", "review"]]);
    expect(authenticate(keys, K1)).toBe(keys[0]);
    expect(authenticate(keys, K2)).toBe(keys[1]);
    expect(authenticate(keys, "k3-not-configured-000")).toBeUndefined();
    for (const k of keys) {
      expect(k.id).toMatch(/^key_[0-9a-f]{8}$/);
      expect(k.id).not.toContain(K1.slice(0, 8));
    }
  });

  it("treats an empty value as no keys and no problems", () => {
    expect(parseApiKeys("")).toEqual({ keys: [], problems: [] });
  });

  it.each([
    ["an unknown scope", `superuser:${K1}`, /entry 1: expected scopes:key/],
    ["one unknown scope among good ones", `score+root:${K1}`, /entry 1: expected scopes:key/],
    ["a missing colon", K1, /entry 1: expected scopes:key/],
    ["no scopes before the colon", `:${K1}`, /entry 1: expected scopes:key/],
    ["an empty scope", `score+:${K1}`, /entry 1: expected scopes:key/],
    ["a short key", "score:Sh0rtSecret", /entry 1: key shorter than 16 characters/],
  ])("reports %s without the key", (_label, raw, message) => {
    const { keys, problems } = parseApiKeys(raw);
    expect(keys).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    const secret = raw.slice(raw.indexOf(":") + 1);
    expect(problems[0]).not.toContain(secret);
  });

  it("keeps the good entries and numbers the bad ones", () => {
    const { keys, problems } = parseApiKeys(`score:${K1},bogus:${K2},admin:tiny`);
    expect(keys).toHaveLength(1);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/entry 2:/);
    expect(problems[1]).toMatch(/entry 3:/);
    expect(problems.join("\n")).not.toMatch(new RegExp(`${K1}|${K2}|tiny`));
  });

  it("makes the service configuration fail without echoing the key", () => {
    let thrown: unknown;
    try {
      loadApiConfig({ RISKGATE_API_KEYS: `score:${K1},admin:Sh0rtSecret` });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const err = thrown as ConfigError;
    expect(err.problems).toEqual(["RISKGATE_API_KEYS entry 2: key shorter than 16 characters"]);
    expect(err.message).not.toContain("Sh0rtSecret");
    expect(err.message).not.toContain(K1);
  });
});

describe("named keys", () => {
  const K1 = "k1-0123456789abcdefXYZ";
  const K2 = "k2-abcdefghijklmnop123";
  const sha = (k: string) => createHash("sha256").update(k).digest("hex");

  it("parses name=scopes:key, and a key given as its SHA-256", () => {
    const { keys, problems } = parseApiKeys(
      `alice=review+admin:${K1}, score:${K2}, bob.r=review:sha256:${sha("bob-secret-0123456789")}`,
    );
    expect(problems).toEqual([]);
    expect(keys.map((k) => [k.name, [...k.scopes].sort()])).toEqual([
      ["alice", ["admin", "review"]],
      [keys[1]?.id, ["score"]],
      ["bob.r", ["review"]],
    ]);
    expect(authenticate(keys, K1)?.name).toBe("alice");
    expect(authenticate(keys, "bob-secret-0123456789")?.name).toBe("bob.r");
    expect(authenticate(keys, `sha256:${sha("bob-secret-0123456789")}`)).toBeUndefined();
  });

  it.each([
    ["an e-mail as the name", `alice@example.com=review:${K1}`, /entry 1: the name must start with a letter/],
    ["a name starting with a digit", `1alice=review:${K1}`, /entry 1: the name must start with a letter/],
    ["an empty name", `=review:${K1}`, /entry 1: the name must start with a letter/],
    ["no scopes after the name", `alice=:${K1}`, /entry 1: expected scopes:key or name=scopes:key/],
    ["a malformed digest (short key)", "alice=review:sha256:abc", /entry 1: key shorter than 16/],
  ])("reports %s without the key", (_label, raw, message) => {
    const { keys, problems } = parseApiKeys(raw);
    expect(keys).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    expect(problems[0]).not.toContain(K1);
  });

  it("refuses one key configured twice (its holder would be ambiguous)", () => {
    const { keys, problems } = parseApiKeys(`alice=review:${K1},bob=admin:sha256:${sha(K1)}`);
    expect(keys.map((k) => k.name)).toEqual(["alice"]);
    expect(problems).toEqual(["RISKGATE_API_KEYS entry 2: the same key appears in an earlier entry"]);
  });
});

describe("generated development keys", () => {
  it("gives one distinct key per scope, each authenticating with that scope only", () => {
    const { keys, printable } = generateKeys();
    expect(keys).toHaveLength(SCOPES.length);
    expect(Object.keys(printable).sort()).toEqual([...SCOPES].sort());
    expect(new Set(Object.values(printable)).size).toBe(SCOPES.length);
    for (const scope of SCOPES) {
      expect(printable[scope].length).toBeGreaterThanOrEqual(16);
      expect(printable[scope]).toMatch(/^\S+$/);
      const key = authenticate(keys, printable[scope]);
      expect(key && [...key.scopes]).toEqual([scope]);
    }
    expect(generateKeys().printable.score).not.toBe(printable.score);
  });

  it("are honoured by the API as main.ts wires them: only the score key scores", async () => {
    const { keys, printable } = generateKeys();
    const composed = await composeScoringApi({
      config: loadApiConfig({}),
      logger: pino({ level: "silent" }),
      registry: new Registry(),
      keys,
      // No event-loop lag probe: this box's load must not shed the checkouts under test.
      lagProbe: { lagMs: () => 0 },
    });
    try {
      const post = (scope: keyof typeof printable) =>
        composed.app.inject({
          method: "POST",
          url: "/v1/score",
          headers: bearer(printable[scope]),
          payload: checkout(`gen_${scope}`, T0),
        });
      expect((await post("score")).statusCode).toBe(200);
      expect((await post("review")).statusCode).toBe(403);
      expect((await post("admin")).statusCode).toBe(403);
    } finally {
      for (const c of composed.closers) await c.close();
    }
  });
});

// Issue 14's input guards on the real API: events from the future refused (and counted), IP
// addresses canonical, currencies from the rate table, card numbers refused; identifiers stored,
// queued for review and echoed in reasons only as pseudonyms.

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MINUTE } from "@riskgate/feature-store/definitions";
import type { Checkout } from "@riskgate/feature-store/events";
import { type ApiHarness, bearer, pseudonymiser, startApi, TOKENS } from "@riskgate/test-support/api-harness";
import { account, checkout, iso, T0 } from "@riskgate/test-support/events";
import { scanKeys } from "@riskgate/test-support/services";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OwnRedis } from "./resilience/own-redis.ts";

const post = (h: ApiHarness, url: string, payload: unknown, token = TOKENS.score) =>
  h.app.inject({ method: "POST", url, headers: bearer(token), payload: payload as object });

const withIp = (c: Checkout, ip: string): Checkout => ({ ...c, device: { ...c.device, ip } });

describe("input guards on the embedded default", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApi();
  });
  afterAll(() => h.close());

  it("refuses an event from the future on every route taking events, naming /occurred_at, and counts it", async () => {
    const future = Date.now() + 10 * MINUTE;
    const answers = [
      await post(h, "/v1/score", checkout("fut-1", future)),
      await post(h, "/v1/features", checkout("fut-2", future)),
      await post(h, "/v1/events", account("fut-3", future), TOKENS.admin),
    ];
    for (const res of answers) {
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: "event_in_future", field: "/occurred_at" });
    }
    expect(await h.registry.getSingleMetricAsString("riskgate_events_refused_total")).toContain(
      'riskgate_events_refused_total{reason="event_in_future"} 3',
    );
    // Within the allowed skew (5 minutes by default): a client clock a little ahead is fine.
    const soon = Date.now() + MINUTE;
    expect((await post(h, "/v1/score", checkout("soon-1", soon))).statusCode).toBe(200);
    expect((await post(h, "/v1/events", account("soon-2", soon), TOKENS.admin)).statusCode).toBe(202);
  });

  it("counts an IPv4-mapped address and its IPv4 form as one IP", async () => {
    const first = withIp(
      checkout("ip-1", T0, { user: { id: "u_ip_a", created_at: iso(T0 - 86_400_000) } }),
      "::ffff:203.0.113.99",
    );
    expect((await post(h, "/v1/score", first)).statusCode).toBe(200);
    const probe = withIp(
      checkout("ip-2", T0 + MINUTE, { user: { id: "u_ip_b", created_at: iso(T0 - 86_400_000) } }),
      "203.0.113.99",
    );
    const res = await post(h, "/v1/features", probe);
    expect(res.statusCode).toBe(200);
    expect(res.json().features).toMatchObject({ ip_checkouts_1h: 1, ip_distinct_users_24h: 1 });
  });

  it("refuses invalid addresses, unknown currencies and card numbers, naming the field", async () => {
    const cases: [Checkout, string, string][] = [
      [withIp(checkout("bad-1", T0), "203.0.113.300"), "schema_violation", "/device/ip"],
      [withIp(checkout("bad-2", T0), "010.0.0.1"), "schema_violation", "/device/ip"],
      [
        { ...checkout("bad-3", T0), booking: { ...checkout("bad-3", T0).booking, currency: "XYZ" } },
        "schema_violation",
        "/booking/currency",
      ],
      [
        checkout("bad-4", T0, { message: { text: "card 4111-1111-1111-1111 exp 12/29" } }),
        "card_number_present",
        "/message/text",
      ],
    ];
    for (const [body, code, field] of cases) {
      const res = await post(h, "/v1/score", body);
      expect(res.statusCode, field).toBe(400);
      expect(res.json().error).toMatchObject({ code, field });
      expect(res.body).not.toContain("4111");
    }
  });

  it("hashes a victim's pseudonym sent as an id again on every route: the writes land on another entity", async () => {
    const victim = pseudonymiser.id("user", "u_victim_api");
    const sent = (id: string, at: number) =>
      checkout(id, at, { user: { id: victim, created_at: iso(T0 - 86_400_000) } });
    const label = {
      type: "review_outcome",
      event_id: "pz-label",
      occurred_at: iso(T0),
      checkout_event_id: "pz-score",
      label: "fraud",
      user_id: victim,
      reviewer: "mallory",
    };
    expect((await post(h, "/v1/events", label, TOKENS.admin)).statusCode).toBe(202);
    const login = account("pz-login", T0, { type: "login", user_id: victim });
    expect((await post(h, "/v1/events", login, TOKENS.admin)).statusCode).toBe(202);
    expect((await post(h, "/v1/score", sent("pz-score", T0))).statusCode).toBe(200);

    const featuresOf = async (c: Checkout) => {
      const res = await post(h, "/v1/features", c);
      expect(res.statusCode).toBe(200);
      return res.json().features as Record<string, number>;
    };
    const untouched = { user_fraud_labels: 0, user_logins_24h: 0, user_checkouts_24h: 0 };
    // The victim, as the API sees its raw id: nothing the client sent reached it.
    const victimCheckout = checkout("pz-probe-1", T0 + MINUTE, {
      user: { id: "u_victim_api", created_at: iso(T0 - 86_400_000) },
    });
    expect(await featuresOf(victimCheckout)).toMatchObject(untouched);
    // The same pseudonym-shaped id on /v1/features reads the entity the writes went to, not the victim.
    expect(await featuresOf(sent("pz-probe-2", T0 + MINUTE))).toMatchObject({
      user_fraud_labels: 1,
      user_logins_24h: 1,
      user_checkouts_24h: 1,
    });
  });
});

// A Redis of the test's own: every key in it is this API's, so all of them can be read back.
describe("pseudonymised identifiers on Redis", () => {
  const RAW = [
    "u_rawprobe",
    "d_rawprobe",
    "pi_rawprobe",
    "l_rawprobe",
    "h_rawprobe",
    "203.0.113.66",
    "203.0.113.67",
  ];
  let h: ApiHarness;
  let dir: string;
  let own: OwnRedis;
  beforeAll(async () => {
    own = await OwnRedis.start();
    dir = await mkdtemp(join(tmpdir(), "rg-pseudo-"));
    const rules = (await readFile("services/scoring-api/rules/default.yaml", "utf8")).replace(
      "blocked_ips: []",
      'blocked_ips: ["203.0.113.66"]',
    );
    expect(rules).toContain("203.0.113.66");
    await writeFile(join(dir, "rules.yaml"), rules);
    // The test reads every key back through the API's client: a loaded box must not time that out.
    h = await startApi({
      redisUrl: own.url,
      env: {
        RULES_FILE: join(dir, "rules.yaml"),
        REDIS_COMMAND_TIMEOUT_MS: "5000",
        FEATURE_TIMEOUT_MS: "5000",
      },
    });
  });
  afterAll(async () => {
    await h.close();
    await own.close();
    await rm(dir, { recursive: true, force: true });
  });

  const probe = (id: string, ip: string, over: Partial<Checkout> = {}) =>
    withIp(
      checkout(id, T0, {
        user: { id: "u_rawprobe", created_at: iso(T0 - 86_400_000) },
        device: { id: "d_rawprobe", ip, ip_country: "PT" },
        payment: { instrument_id: "pi_rawprobe", type: "card", country: "PT", billing_country: "PT" },
        listing: { id: "l_rawprobe", host_id: "h_rawprobe", country: "PT" },
        ...over,
      }),
      ip,
    );

  it("matches a raw IP block list against the pseudonymised address, and the reason echoes no raw IP", async () => {
    const res = await post(h, "/v1/score", probe("pz-block", "::ffff:203.0.113.66"));
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.decision).toBe("block");
    const reason = body.reasons.find((r: { code: string }) => r.code === "blocked_ip");
    expect(reason.detail).toContain(pseudonymiser.id("ip", "203.0.113.66"));
    expect(res.body).not.toContain("203.0.113.66");
  });

  it("stores, queues and answers only pseudonyms: no raw identifier in any Redis key or value", async () => {
    const res = await post(
      h,
      "/v1/score",
      probe("pz-review", "203.0.113.67", {
        message: { text: "please whatsapp me, details at www.example-pay.com/booking" },
      }),
    );
    expect(res.statusCode).toBe(200);
    const caseId = res.json().review_case_id;
    expect(caseId).toBe("rc_pz-review");
    const opened = await h.app.inject({
      method: "GET",
      url: `/v1/review/cases/${caseId}`,
      headers: bearer(TOKENS.review),
    });
    expect(opened.statusCode).toBe(200);
    expect(opened.json()).toMatchObject({
      user_id: pseudonymiser.id("user", "u_rawprobe"),
      payment_instrument_id: pseudonymiser.id("payment_instrument", "pi_rawprobe"),
    });

    const redis = h.redis as NonNullable<ApiHarness["redis"]>;
    const keys = await scanKeys(redis, `${h.prefix}*`);
    expect(keys.length).toBeGreaterThan(10);
    const dump: string[] = [...keys];
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === "hash") dump.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === "zset") dump.push(JSON.stringify(await redis.zrange(key, "0", "-1")));
      else if (type === "string") dump.push((await redis.get(key)) ?? "");
      else if (type === "stream") dump.push(JSON.stringify(await redis.xrange(key, "-", "+")));
      else if (type === "set") dump.push(JSON.stringify(await redis.smembers(key)));
      else if (type === "list") dump.push(JSON.stringify(await redis.lrange(key, 0, -1)));
    }
    const everything = dump.join("\n");
    expect(everything).toContain(pseudonymiser.id("user", "u_rawprobe"));
    for (const raw of RAW) expect(everything, raw).not.toContain(raw);
  });
});

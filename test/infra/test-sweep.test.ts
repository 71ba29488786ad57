import {
  createKafka,
  createRedis,
  createTopics,
  deleteTopics,
  uniquePrefix,
  uniqueTopic,
  withAdmin,
} from "@riskgate/test-support/services";
import { sweepKeys, sweepTopics, testName } from "@riskgate/test-support/sweep";
import { afterAll, describe, expect, it } from "vitest";

const HOUR = 3_600_000;
/** A test name's suffix as uniquePrefix / uniqueTopic would have made it `hoursAgo` hours ago in run `run`. */
const made = (hoursAgo: number, run = "0123") => `${(Date.now() - hoursAgo * HOUR).toString(36)}${run}abcd`;
const createdAt = (name: string, kind: "key" | "topic") => testName(name, kind)?.created;

describe("the sweep of what earlier test runs left in the shared services", () => {
  const redis = createRedis();
  const kafka = createKafka("test-sweep");
  afterAll(async () => {
    await redis.quit();
  });

  it("reads the creation time from the names the test helpers make, and from nothing else", () => {
    const before = Date.now();
    const key = `${uniquePrefix("sweep")}fs:v2:{user:u_1}:h`;
    expect(createdAt(key, "key")).toBeGreaterThanOrEqual(before - 1);
    expect(createdAt(`{${uniquePrefix("sweep")}}a`, "key")).toBeGreaterThanOrEqual(before - 1);
    expect(createdAt(uniqueTopic("sweep"), "topic")).toBeGreaterThanOrEqual(before - 1);
    expect(createdAt(`${uniqueTopic("sweep")}.decisions`, "topic")).toBeGreaterThanOrEqual(before - 1);
    expect(createdAt("fs:v2:{user:u_1}:h", "key")).toBeUndefined();
    expect(createdAt("riskgate.decisions", "topic")).toBeUndefined();
    // The run's tag from RISKGATE_TEST_RUN, as test-all.sh sets it.
    expect(testName(`t.sweep.${made(0, "beef")}.decisions`, "topic")?.run).toBe("beef");
    const run = process.env.RISKGATE_TEST_RUN;
    if (run) expect(testName(uniqueTopic("sweep"), "topic")?.run).toBe(run);
  });

  it("removes test keys older than the cut-off and keeps newer ones and every other key", async () => {
    // Plain prefixes, and prefixes as a hash tag (tests that need one slot for several keys).
    const old = [`t:sweep:${made(7)}:fs:v2:{user:u_1}:h`, `{t:sweep:${made(7)}:}a`];
    const fresh = [`${uniquePrefix("sweep")}fs:v2:{user:u_1}:h`, `{t:sweep:${made(1)}:}a`];
    const other = `sweep-check:${made(9)}:not-a-test-key`;
    // One key per command: on a Cluster the keys live in different slots.
    for (const key of [...old, ...fresh, other]) await redis.set(key, "1");
    await sweepKeys(redis, { before: Date.now() - 6 * HOUR });
    const exists = async (keys: string[]) => Promise.all(keys.map((k) => redis.exists(k)));
    expect(await exists(old)).toEqual([0, 0]);
    expect(await exists([...fresh, other])).toEqual([1, 1, 1]);
    for (const key of [...fresh, other]) await redis.unlink(key);
  });

  it("deletes test topics older than the cut-off and keeps newer ones", async () => {
    // As the tests name them: a uniqueTopic, or one with a suffix of its own.
    const old = `t.sweep.${made(7)}.decisions`;
    const fresh = `${uniqueTopic("sweep")}.decisions`;
    await createTopics(kafka, [old, fresh]);
    const removed = await withAdmin(kafka, (admin) => sweepTopics(admin, { before: Date.now() - 6 * HOUR }));
    expect(removed).toBeGreaterThanOrEqual(1);
    const topics = await withAdmin(kafka, (admin) => admin.listTopics());
    expect({ old: topics.includes(old), fresh: topics.includes(fresh) }).toEqual({ old: false, fresh: true });
    await deleteTopics(kafka, [fresh]);
  });
  it("removes one run's keys and topics, whatever their age, and keeps another run's", async () => {
    const mine = made(0, "f00d");
    const other = made(0, "cafe");
    const keys = { mine: `t:sweep:${mine}:a`, other: `{t:sweep:${other}:}a` };
    for (const key of Object.values(keys)) await redis.set(key, "1");
    const topics = { mine: `t.sweep.${mine}.decisions`, other: `t.sweep.${other}` };
    await createTopics(kafka, Object.values(topics));

    await sweepKeys(redis, { run: "f00d" });
    const removed = await withAdmin(kafka, (admin) => sweepTopics(admin, { run: "f00d" }));

    expect({ mine: await redis.exists(keys.mine), other: await redis.exists(keys.other) }).toEqual({
      mine: 0,
      other: 1,
    });
    expect(removed).toBe(1);
    const left = await withAdmin(kafka, (admin) => admin.listTopics());
    expect({ mine: left.includes(topics.mine), other: left.includes(topics.other) }).toEqual({
      mine: false,
      other: true,
    });
    await redis.unlink(keys.other);
    await deleteTopics(kafka, [topics.other]);
  });
});

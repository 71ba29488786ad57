import { describe, expect, it } from "vitest";
import { PendingCommits } from "../src/pending-commits.ts";

const at = (topic: string, partition: number, offset: number) => ({
  topic,
  partition,
  offset: String(offset),
});

describe("offsets written but not yet committed", () => {
  it("are due once the interval since the last commit has passed, and only then", () => {
    let now = 1_000;
    const commits = new PendingCommits(500, () => now);
    expect(commits.due()).toBe(false);
    commits.written(at("payments", 0, 10));
    now += 499;
    expect(commits.due()).toBe(false);
    now += 1;
    expect(commits.due()).toBe(true);
    expect(commits.take()).toEqual([at("payments", 0, 10)]);
    commits.written(at("payments", 0, 11));
    expect(commits.due()).toBe(false);
  });

  it("with an interval of 0 are due after every batch, and never when nothing is pending", () => {
    const commits = new PendingCommits(0, () => 0);
    expect(commits.due()).toBe(false);
    commits.written(at("payments", 0, 1));
    expect(commits.due()).toBe(true);
    commits.take();
    expect(commits.due()).toBe(false);
  });

  it("hold the furthest offset of each partition, bounded by the partitions", () => {
    const commits = new PendingCommits(1_000, () => 0);
    commits.written(at("payments", 0, 10));
    commits.written(at("payments", 0, 9)); // a slower worker's older batch finishing last
    commits.written(at("payments", 1, 3));
    commits.written(at("accounts", 0, 7));
    commits.written(at("payments", 0, 12));
    commits.written(at("payments", 1, 10_000_000_000)); // offsets are int64, compared as such
    expect(commits.take()).toEqual([
      at("payments", 0, 12),
      at("payments", 1, 10_000_000_000),
      at("accounts", 0, 7),
    ]);
    expect(commits.take()).toEqual([]);
  });
});

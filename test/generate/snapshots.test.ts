import { describe, expect, it } from "vitest";
import { postRecords, snapshotChanges, voteRecords } from "../../tools/generate/index.js";

const options = { posts: 3000, votes: 6000, seed: 21 };

function linesById(snapshot: number): Map<string, string> {
  const lines = new Map<string, string>();
  for (const post of postRecords({ ...options, snapshot })) {
    lines.set(post.Id ?? "", JSON.stringify(post));
  }
  return lines;
}

const snapshots = [linesById(1), linesById(2), linesById(3)];

function field(line: string | undefined, key: string): string | undefined {
  return line === undefined ? undefined : (JSON.parse(line) as Record<string, string>)[key];
}

describe.each([1, 2])("snapshot %i to the next", (k) => {
  const before = snapshots[k - 1] ?? new Map<string, string>();
  const after = snapshots[k] ?? new Map<string, string>();
  const changed = [...before].filter(([id, line]) => after.has(id) && after.get(id) !== line);

  it("contains every post of the previous snapshot except the few it deletes", () => {
    const missing = [...before.keys()].filter((id) => !after.has(id));
    const deleted = snapshotChanges({ ...options, snapshot: k + 1 }).posts.deleted;
    expect(missing).toEqual(deleted.map(String));
    expect(missing.length / before.size).toBeLessThan(0.02);
  });

  it("adds about 10% new posts, all with higher ids", () => {
    const added = [...after.keys()].filter((id) => !before.has(id));
    expect(added.length / before.size).toBeGreaterThan(0.08);
    expect(added.length / before.size).toBeLessThan(0.12);
    const highestBefore = Math.max(...[...before.keys()].map(Number));
    expect(added.filter((id) => Number(id) <= highestBefore)).toEqual([]);
  });

  it("changes about 5% of the existing posts", () => {
    expect(changed.length / before.size).toBeGreaterThan(0.035);
    expect(changed.length / before.size).toBeLessThan(0.07);
  });

  it("gives every changed post a strictly newer LastActivityDate", () => {
    const notNewer = changed.filter(
      ([id, line]) =>
        (field(after.get(id), "LastActivityDate") ?? "") <= (field(line, "LastActivityDate") ?? ""),
    );
    expect(notNewer).toEqual([]);
  });

  it("never changes what a post was at creation", () => {
    const fixed = ["PostTypeId", "ParentId", "CreationDate", "OwnerUserId", "Tags"];
    const moved = changed.filter(([id, line]) =>
      fixed.some((key) => field(after.get(id), key) !== field(line, key)),
    );
    expect(moved).toEqual([]);
  });

  it("edits some changed posts: new body, LastEditDate and editor", () => {
    const edited = changed.filter(
      ([id, line]) =>
        field(after.get(id), "Body") !== field(line, "Body") &&
        (field(after.get(id), "LastEditDate") ?? "") > (field(line, "LastEditDate") ?? ""),
    );
    expect(edited.length).toBeGreaterThan(changed.length * 0.15);
  });
});

describe("snapshot votes", () => {
  it("keep the previous snapshot's votes byte for byte, but the retracted ones, and add ~10%", () => {
    const lines = (snapshot: number): Map<string, string> =>
      new Map(
        [...voteRecords({ ...options, snapshot })].map((v) => [v.Id ?? "", JSON.stringify(v)]),
      );
    const [first, second] = [lines(1), lines(2)];
    const kept = [...first].filter(([id]) => second.has(id));
    expect(kept.filter(([id, line]) => second.get(id) !== line)).toEqual([]);
    const retracted = [...first.keys()].filter((id) => !second.has(id));
    expect(retracted).toEqual(
      snapshotChanges({ ...options, snapshot: 2 }).votes.deleted.map(String),
    );
    const highest = Math.max(...[...first.keys()].map(Number));
    const added = [...second.keys()].filter((id) => Number(id) > highest);
    expect(added.length / first.size).toBeGreaterThan(0.08);
    expect(added.length / first.size).toBeLessThan(0.12);
  });

  it("only vote on posts that exist by then, keeping dates rising", () => {
    const votes = [...voteRecords({ ...options, snapshot: 3 })];
    const highestPost = Math.max(...[...(snapshots[2]?.keys() ?? [])].map(Number));
    expect(votes.filter((vote) => Number(vote.PostId) > highestPost)).toEqual([]);
    const dates = votes.map((vote) => vote.CreationDate ?? "");
    expect(dates).toEqual([...dates].sort());
  });
});

describe("the duplicated post", () => {
  it("is the same post, 40 times, in every snapshot", () => {
    const repeatedIds = [1, 2, 3].map((snapshot) => {
      const counts = new Map<string, number>();
      for (const post of postRecords({ ...options, snapshot })) {
        counts.set(post.Id ?? "", (counts.get(post.Id ?? "") ?? 0) + 1);
      }
      return [...counts].filter(([, count]) => count > 1);
    });
    expect(repeatedIds[0]).toHaveLength(1);
    expect(repeatedIds[1]).toEqual(repeatedIds[0]);
    expect(repeatedIds[2]).toEqual(repeatedIds[0]);
  });
});

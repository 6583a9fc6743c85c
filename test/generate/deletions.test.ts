import { describe, expect, it } from "vitest";
import {
  type FlatRecord,
  postRecords,
  snapshotChanges,
  voteRecords,
} from "../../tools/generate/index.js";

const options = { posts: 3000, votes: 12_000, seed: 21 };
const SMALL = { posts: 200, votes: 800, seed: 7 };
const LAST = 6;
const SNAPSHOTS = Array.from({ length: LAST }, (_, i) => i + 1);

type Lines = Map<number, string>;

function linesById(records: Iterable<FlatRecord>): Lines {
  return new Map([...records].map((record) => [Number(record.Id), JSON.stringify(record)]));
}

const posts: Lines[] = SNAPSHOTS.map((snapshot) =>
  linesById(postRecords({ ...options, snapshot })),
);
const votes: Lines[] = SNAPSHOTS.map((snapshot) =>
  linesById(voteRecords({ ...options, snapshot })),
);
const changes = SNAPSHOTS.map((snapshot) => snapshotChanges({ ...options, snapshot }));

function at(files: readonly Lines[], snapshot: number): Lines {
  return files[snapshot - 1] ?? new Map<number, string>();
}

function field(line: string | undefined, key: string): string | undefined {
  return line === undefined ? undefined : (JSON.parse(line) as Record<string, string>)[key];
}

describe.each([
  ["posts", posts, 0.005],
  ["votes", votes, 0.007],
] as const)("deleted %s", (kind, files, least) => {
  it("are about 1% of the previous snapshot's, from snapshot 2 on, never in snapshot 1", () => {
    expect(changes[0]?.[kind].deleted).toEqual([]);
    for (const k of SNAPSHOTS.slice(1)) {
      const share = (changes[k - 1]?.[kind].deleted.length ?? 0) / at(files, k - 1).size;
      expect(share).toBeGreaterThan(least);
      expect(share).toBeLessThan(0.015);
    }
  });

  it("stay absent from every later snapshot until restored, and most never come back", () => {
    let restoredLater = 0;
    let deletedTotal = 0;
    for (const k of SNAPSHOTS.slice(1)) {
      for (const id of changes[k - 1]?.[kind].deleted ?? []) {
        deletedTotal++;
        const back = SNAPSHOTS.find((later) => later > k && at(files, later).has(id));
        const absentUntil = back ?? LAST + 1;
        const present = SNAPSHOTS.filter((s) => s >= k && s < absentUntil && at(files, s).has(id));
        expect(present).toEqual([]);
        if (back !== undefined) {
          restoredLater++;
          expect(back).toBe(k + 2);
        }
      }
    }
    expect(restoredLater / deletedTotal).toBeLessThan(0.35);
  });

  it("come back two snapshots later for about one in five, byte for byte as they were", () => {
    const restored = SNAPSHOTS.flatMap((k) =>
      (changes[k - 1]?.[kind].restored ?? []).map((id) => [k, id] as const),
    );
    expect(changes.slice(0, 3).flatMap((c) => c[kind].restored)).toEqual([]);
    expect(restored.length).toBeGreaterThan(0);
    for (const [k, id] of restored) {
      expect(changes[k - 3]?.[kind].deleted).toContain(id);
      expect(at(files, k).get(id)).toBe(at(files, k - 3).get(id));
    }
    const deletedEarlier = changes.slice(1, LAST - 2).flatMap((c) => c[kind].deleted).length;
    const share = restored.length / deletedEarlier;
    expect(share).toBeGreaterThan(0.12);
    expect(share).toBeLessThan(0.35);
  });
});

describe("what gets deleted", () => {
  const deletedPosts = SNAPSHOTS.slice(1).flatMap((k) =>
    (changes[k - 1]?.posts.deleted ?? []).map((id) => at(posts, k - 1).get(id)),
  );
  const deletedVotes = SNAPSHOTS.slice(1).flatMap((k) =>
    (changes[k - 1]?.votes.deleted ?? []).map((id) => at(votes, k - 1).get(id)),
  );

  it("is questions and answers alike; questions only unanswered, answers only unaccepted", () => {
    const types = deletedPosts.map((line) => field(line, "PostTypeId"));
    expect(types.filter((type) => type === "1").length).toBeGreaterThan(deletedPosts.length * 0.2);
    expect(types.filter((type) => type === "2").length).toBeGreaterThan(deletedPosts.length * 0.4);
    expect(types.filter((type) => type !== "1" && type !== "2")).toEqual([]);
    expect(
      deletedPosts.filter(
        (line) => field(line, "AnswerCount") !== undefined && field(line, "AnswerCount") !== "0",
      ),
    ).toEqual([]);
  });

  it("is mostly UpMod and DownMod votes, a few Favorite, nothing else", () => {
    const types = deletedVotes.map((line) => field(line, "VoteTypeId") ?? "");
    expect(types.filter((type) => type === "2" || type === "3").length).toBeGreaterThan(
      types.length * 0.9,
    );
    expect(types.filter((type) => !["2", "3", "5"].includes(type))).toEqual([]);
  });

  it("leaves every later snapshot consistent: answers keep their question and acceptance", () => {
    for (const k of SNAPSHOTS) {
      const file = [...at(posts, k).values()].map((line) => JSON.parse(line) as FlatRecord);
      const ids = new Set(file.map((post) => post.Id));
      const answerCounts = new Map<string | undefined, number>();
      for (const post of file.filter((p) => p.ParentId !== undefined)) {
        answerCounts.set(post.ParentId, (answerCounts.get(post.ParentId) ?? 0) + 1);
      }
      expect(file.filter((post) => post.ParentId !== undefined && !ids.has(post.ParentId))).toEqual(
        [],
      );
      expect(
        file.filter(
          (post) => post.AcceptedAnswerId !== undefined && !ids.has(post.AcceptedAnswerId),
        ),
      ).toEqual([]);
      const miscounted = file.filter(
        (post) =>
          post.PostTypeId === "1" && Number(post.AnswerCount) !== (answerCounts.get(post.Id) ?? 0),
      );
      expect(miscounted).toEqual([]);
    }
  });
});

describe("snapshotChanges", () => {
  it.each(SNAPSHOTS)("tells exactly how snapshot %i differs from the one before", (k) => {
    const [before, after] = [k === 1 ? new Map<number, string>() : at(posts, k - 1), at(posts, k)];
    const truth = changes[k - 1]?.posts;
    const ids = (lines: Lines, keep: (id: number) => boolean): number[] =>
      [...lines.keys()].filter(keep).sort((a, b) => a - b);
    expect(truth?.deleted).toEqual(ids(before, (id) => !after.has(id)));
    expect(truth?.changed).toEqual(
      ids(after, (id) => before.has(id) && before.get(id) !== after.get(id)),
    );
    const notNewer = (truth?.changed ?? []).filter(
      (id) =>
        (field(after.get(id), "LastActivityDate") ?? "") <=
        (field(before.get(id), "LastActivityDate") ?? ""),
    );
    expect(notNewer).toEqual([]);
    const arrived = ids(after, (id) => !before.has(id));
    expect([...(truth?.added ?? []), ...(truth?.restored ?? [])].sort((a, b) => a - b)).toEqual(
      arrived,
    );
    const highestBefore = Math.max(0, ...before.keys());
    expect(truth?.added.every((id) => id > highestBefore)).toBe(true);
    expect(truth?.restored.every((id) => id <= highestBefore)).toBe(true);
    const [votesBefore, votesAfter] = [
      k === 1 ? new Map<number, string>() : at(votes, k - 1),
      at(votes, k),
    ];
    expect(changes[k - 1]?.votes.deleted).toEqual(ids(votesBefore, (id) => !votesAfter.has(id)));
    expect(changes[k - 1]?.votes.changed).toEqual([]);
  });

  it("is the same for the same seed and differs for another", () => {
    expect(snapshotChanges({ ...options, snapshot: 4 })).toEqual(changes[3]);
    expect(snapshotChanges({ ...options, seed: 22, snapshot: 4 })).not.toEqual(changes[3]);
  });

  it("on a small site, has every snapshot delete a post and a vote that come back later", () => {
    for (const k of [2, 3, 4, 5]) {
      const dropped = snapshotChanges({ ...SMALL, snapshot: k });
      const back = snapshotChanges({ ...SMALL, snapshot: k + 2 });
      const previous = new Set([...postRecords({ ...SMALL, snapshot: k - 1 })].map((p) => p.Id));
      expect(dropped.posts.deleted.length / previous.size).toBeLessThan(0.05);
      expect(dropped.posts.deleted.filter((id) => back.posts.restored.includes(id))).not.toEqual(
        [],
      );
      expect(dropped.votes.deleted.filter((id) => back.votes.restored.includes(id))).not.toEqual(
        [],
      );
    }
  });
});

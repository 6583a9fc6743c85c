import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../src/check/checks.js";
import { cli, fileWith, fixtureDelivery } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { queryRows } from "../helpers/warehouse-dump.js";

interface PostFields {
  readonly id: number;
  readonly type?: number;
  readonly created?: string;
  readonly activity?: string;
  readonly parent?: number;
  readonly accepted?: number;
}

function post(fields: PostFields): string {
  const created = fields.created ?? "2019-03-04T10:00:00.000";
  return JSON.stringify({
    Id: String(fields.id),
    PostTypeId: String(fields.type ?? 1),
    ...(fields.accepted === undefined ? {} : { AcceptedAnswerId: String(fields.accepted) }),
    ...(fields.parent === undefined ? {} : { ParentId: String(fields.parent) }),
    CreationDate: created,
    Score: "0",
    Body: "<p>b</p>",
    LastActivityDate: fields.activity ?? created,
    CommentCount: "0",
    ContentLicense: "CC BY-SA 4.0",
  });
}

function vote(
  id: number,
  postId: number,
  type: number,
  extra: Record<string, string> = {},
): string {
  return JSON.stringify({
    Id: String(id),
    PostId: String(postId),
    VoteTypeId: String(type),
    ...extra,
    CreationDate: extra.CreationDate ?? "2019-03-05T00:00:00.000",
  });
}

/** One post or vote breaking each rule, on top of a clean base, so each check has one finding. */
const rulebreakers = {
  posts: [
    post({ id: 10, accepted: 11 }),
    post({ id: 11, type: 2, parent: 12 }), // accepted answer of 10, but answers 12
    post({ id: 12 }),
    post({ id: 13, type: 2, parent: 500 }), // parent missing
    post({ id: 14, accepted: 501 }), // accepted answer missing
    post({ id: 15, created: "2099-01-01T00:00:00.000" }), // future
    post({ id: 16, created: "2007-06-01T00:00:00.000" }), // before 2008
    post({ id: 17, type: 2, parent: 12, created: "2019-03-01T00:00:00.000" }), // before its question
    post({ id: 18, created: "2019-03-04T10:00:00.000", activity: "2019-03-03T00:00:00.000" }),
    post({ id: 19, type: 42 }), // unknown type
  ],
  votes: [
    vote(20, 10, 2, { UserId: "3" }),
    vote(21, 10, 2, { BountyAmount: "50" }),
    vote(22, 10, 2, { CreationDate: "2099-01-01T00:00:00.000" }),
    vote(23, 10, 2, { CreationDate: "2007-01-01T00:00:00.000" }),
    vote(24, 10, 77),
    vote(25, 600, 2), // orphan
  ],
};

const expectedFindings: Record<string, readonly number[]> = {
  votes_orphaned: [7, 25],
  answers_without_question: [13],
  accepted_answer_not_an_answer: [10],
  accepted_answer_missing: [14],
  vote_user_id_type: [20],
  vote_bounty_type: [21],
  posts_timestamps_in_future: [15],
  votes_timestamps_in_future: [22],
  posts_timestamps_before_2008: [16],
  votes_timestamps_before_2008: [23],
  answers_before_question: [17],
  posts_activity_before_creation: [18],
  unknown_post_types: [19],
  unknown_vote_types: [24],
};

describe("stackhouse check", () => {
  it("passes a clean delivery but for the orphaned vote, a warning, and exits 0", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    const fixture = await fixtureDelivery(dir);
    await cli("--db", db, fixture.posts, fixture.votes);

    const result = await cli("check", "--db", db);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/votes_orphaned\s+warning\s+1\s+7\s/);
    expect(result.stdout).toContain("0 error check(s) and 1 warning check(s) found problems.");
  });

  it("finds each rule broken, with its count and sample ids, stores the results and exits 6", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    const fixture = await fixtureDelivery(dir);
    await cli("--db", db, fixture.posts, fixture.votes);
    const posts = await fileWith(dir, "p.json", `[${rulebreakers.posts.join("\n,")}\n]`);
    const votes = await fileWith(dir, "v.json", `[${rulebreakers.votes.join("\n,")}\n]`);
    const ingest = await cli("--db", db, posts, votes);
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toMatch(/vote_user_id_type\s+error\s+1\s+20/);

    const result = await cli("check", "--db", db, "--json");

    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(
      /^stackhouse: checks of error severity failed: accepted_answer_not_an_answer \(1\), /,
    );
    const report = JSON.parse(result.stdout) as {
      results: { name: string; sample: number[]; failing: number }[];
    };
    const found = Object.fromEntries(
      report.results.filter((r) => r.failing > 0).map((r) => [r.name, r.sample]),
    );
    expect(found).toEqual(expectedFindings);
    const stored = queryRows(
      db,
      "SELECT name, failing, sample_ids FROM latest_check_results WHERE failing > 0 ORDER BY name",
    );
    expect(stored).toEqual(
      Object.entries(expectedFindings)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, ids]) => ({ name, failing: ids.length, sample_ids: JSON.stringify(ids) })),
    );
    expect(queryRows(db, "SELECT run_id FROM check_runs ORDER BY check_run_id")).toEqual([
      { run_id: 1 },
      { run_id: 2 },
      { run_id: null },
    ]);
  });

  it("counts orphaned votes until their post arrives, then no more", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    const fixture = await fixtureDelivery(dir);
    await cli("--db", db, fixture.posts, fixture.votes);
    const late = await fileWith(dir, "late.json", `[${post({ id: 99 })}\n]`);
    const none = await fileWith(dir, "none.json", "[]");
    const result = await cli("--db", db, late, none);
    expect(result.stdout).toContain("Checks: all 18 passed.");
    expect(CHECKS).toHaveLength(18);
  });

  it("is skipped after an ingest with --no-checks, and refuses a missing warehouse", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    const fixture = await fixtureDelivery(dir);
    const result = await cli("--db", db, "--no-checks", fixture.posts, fixture.votes);
    expect(result.stdout).not.toContain("Checks");
    expect(queryRows(db, "SELECT count(*) AS n FROM check_runs")).toEqual([{ n: 0 }]);
    const missing = await cli("check", "--db", join(dir, "nope.db"));
    expect(missing).toMatchObject({
      code: 3,
      stderr: `stackhouse: ${join(dir, "nope.db")}: no warehouse here; ingest a delivery first\n`,
    });
  });
});

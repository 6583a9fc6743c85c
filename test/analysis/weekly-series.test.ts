import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { weeklyAnswer } from "../../src/analysis/weekly-series.js";
import { generated } from "../helpers/deliveries.js";
import { cli, fileWith, fixtureDelivery } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { queryRows } from "../helpers/warehouse-dump.js";

const post = (id: number, created: string, type = 1, parent?: number): string =>
  JSON.stringify({
    Id: String(id),
    PostTypeId: String(type),
    ...(parent === undefined ? {} : { ParentId: String(parent) }),
    CreationDate: created,
    Score: "0",
    Body: "b",
    LastActivityDate: created,
    CommentCount: "0",
    ContentLicense: "CC BY-SA 4.0",
  });

const vote = (id: number, postId: number, day: string, type = 2): string =>
  JSON.stringify({
    Id: String(id),
    PostId: String(postId),
    VoteTypeId: String(type),
    CreationDate: `${day}T00:00:00.000`,
  });

/**
 * Data from Wednesday 2020-12-23 to Tuesday 2021-01-12: four ISO weeks, the first and last partial,
 * 2020-W53 (starting 2020-12-28) without any vote.
 */
async function warehouseWithAGap(): Promise<string> {
  const dir = await tempDir();
  const db = join(dir, "w.db");
  const posts = [
    post(1, "2020-12-23T09:00:00.000"),
    post(2, "2020-12-24T10:00:00.000", 2, 1),
    post(3, "2021-01-05T08:00:00.000"),
    post(4, "2021-01-12T23:59:59.999"),
  ];
  const votes = [
    vote(1, 1, "2020-12-23"),
    vote(2, 1, "2020-12-24"),
    vote(3, 2, "2020-12-27", 3),
    vote(4, 3, "2021-01-05"),
    vote(5, 3, "2021-01-06"),
    vote(6, 77, "2021-01-10"),
    vote(7, 1, "2021-01-11"),
  ];
  const result = await cli(
    "--db",
    db,
    await fileWith(dir, "p.json", `[${posts.join("\n,")}\n]`),
    await fileWith(dir, "v.json", `[${votes.join("\n,")}\n]`),
  );
  expect(result.code).toBe(0);
  return db;
}

describe("the weekly views", () => {
  it("list every ISO week, with the ISO year at the turn of the year and partial edges", async () => {
    const db = await warehouseWithAGap();
    expect(queryRows(db, "SELECT * FROM weeks")).toEqual([
      {
        week_start: "2020-12-21",
        week_end: "2020-12-27",
        iso_year: 2020,
        iso_week: 52,
        is_partial: 1,
      },
      {
        week_start: "2020-12-28",
        week_end: "2021-01-03",
        iso_year: 2020,
        iso_week: 53,
        is_partial: 0,
      },
      {
        week_start: "2021-01-04",
        week_end: "2021-01-10",
        iso_year: 2021,
        iso_week: 1,
        is_partial: 0,
      },
      {
        week_start: "2021-01-11",
        week_end: "2021-01-17",
        iso_year: 2021,
        iso_week: 2,
        is_partial: 1,
      },
    ]);
  });

  it("count the last week full only once the data reaches the Monday after it", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    // The data ends early on Sunday 2021-01-10, as a dump taken that morning does: the votes
    // stop on Saturday, one post's last activity is at Sunday midnight.
    const posts = [post(1, "2021-01-04T09:00:00.000"), post(2, "2021-01-10T00:00:00.000")];
    const saturday = [vote(1, 1, "2021-01-04"), vote(2, 1, "2021-01-09")];
    const ingest = async (name: string, records: string[]) => {
      const file = await fileWith(dir, name, `[${records.join("\n,")}\n]`);
      expect((await cli("--db", db, file)).code).toBe(0);
    };
    const partial = () => queryRows(db, "SELECT week_start, is_partial FROM weeks");
    await ingest("p.json", posts);
    await ingest("v1.json", saturday);
    expect(partial()).toEqual([{ week_start: "2021-01-04", is_partial: 1 }]);

    // A vote on Sunday itself: the day is in the data, but not known to be whole.
    await ingest("v2.json", [vote(3, 2, "2021-01-10")]);
    expect(partial()).toEqual([{ week_start: "2021-01-04", is_partial: 1 }]);

    // A vote on the Monday after: the week is over, and whole.
    await ingest("v3.json", [vote(4, 2, "2021-01-11")]);
    expect(partial()).toEqual([
      { week_start: "2021-01-04", is_partial: 0 },
      { week_start: "2021-01-11", is_partial: 1 },
    ]);
  });

  it("count both definitions, weeks without votes included in the calendar view only", async () => {
    const db = await warehouseWithAGap();
    const all = queryRows(
      db,
      `SELECT week_start, votes, posts_voted, mean_votes_per_post, upvotes, downvotes, posts_live,
              mean_votes_per_live_post, is_partial FROM weekly_votes_all_weeks`,
    );
    expect(all).toEqual([
      {
        week_start: "2020-12-21",
        votes: 3,
        posts_voted: 2,
        mean_votes_per_post: 1.5,
        upvotes: 2,
        downvotes: 1,
        posts_live: 2,
        mean_votes_per_live_post: 1.5,
        is_partial: 1,
      },
      {
        week_start: "2020-12-28",
        votes: 0,
        posts_voted: 0,
        mean_votes_per_post: null,
        upvotes: 0,
        downvotes: 0,
        posts_live: 2,
        mean_votes_per_live_post: 0,
        is_partial: 0,
      },
      {
        week_start: "2021-01-04",
        votes: 3,
        posts_voted: 2,
        mean_votes_per_post: 1.5,
        upvotes: 3,
        downvotes: 0,
        posts_live: 3,
        mean_votes_per_live_post: 1,
        is_partial: 0,
      },
      {
        week_start: "2021-01-11",
        votes: 1,
        posts_voted: 1,
        mean_votes_per_post: 1,
        upvotes: 1,
        downvotes: 0,
        posts_live: 4,
        mean_votes_per_live_post: 0.25,
        is_partial: 1,
      },
    ]);
    const withVotes = queryRows(db, "SELECT week_start FROM weekly_votes");
    expect(withVotes.map((row) => row.week_start)).toEqual([
      "2020-12-21",
      "2021-01-04",
      "2021-01-11",
    ]);
    expect(
      queryRows(db, "SELECT * FROM post_weekly_votes WHERE post_id = 1 ORDER BY week_start"),
    ).toEqual([
      { post_id: 1, week_start: "2020-12-21", votes: 2 },
      { post_id: 1, week_start: "2021-01-11", votes: 1 },
    ]);
  });

  it("summarise over full weeks only", async () => {
    const path = await warehouseWithAGap();
    const db = new Database(path, { readonly: true });
    const answer = weeklyAnswer(db);
    db.close();
    expect(answer).toMatchObject({
      firstWeek: "2020-12-21",
      lastWeek: "2021-01-11",
      fullWeeks: 2,
      partialWeeks: 2,
    });
    expect(answer.perVotedPost).toEqual({
      weeks: 1,
      mean: 1.5,
      pooled: 1.5,
      median: 1.5,
      lowest: { week_start: "2021-01-04", value: 1.5 },
      highest: { week_start: "2021-01-04", value: 1.5 },
    });
    expect(answer.perLivePost).toEqual({
      weeks: 2,
      mean: 0.5,
      // (0 + 3 votes) / (2 + 3 live posts): the busier week weighs more than in the mean.
      pooled: 0.6,
      median: 0.5,
      lowest: { week_start: "2020-12-28", value: 0 },
      highest: { week_start: "2021-01-04", value: 1 },
    });
  });

  it("name types and tags in the questions and answers views", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    const fixture = await fixtureDelivery(dir);
    await cli("--db", db, fixture.posts, fixture.votes);
    expect(
      queryRows(
        db,
        "SELECT id, post_type, title, tag_list, accepted_answer_id FROM questions ORDER BY id",
      ),
    ).toEqual([
      {
        id: 1,
        post_type: "Question",
        title: "Pinning images",
        tag_list: "ci docker",
        accepted_answer_id: 3,
      },
      {
        id: 4,
        post_type: "Question",
        title: "State lock",
        tag_list: "terraform",
        accepted_answer_id: null,
      },
    ]);
    expect(
      queryRows(
        db,
        "SELECT id, question_id, question_title, question_tag_list, is_accepted FROM answers ORDER BY id",
      ),
    ).toEqual([
      {
        id: 2,
        question_id: 1,
        question_title: "Pinning images",
        question_tag_list: "ci docker",
        is_accepted: 0,
      },
      {
        id: 3,
        question_id: 1,
        question_title: "Pinning images",
        question_tag_list: "ci docker",
        is_accepted: 1,
      },
    ]);
  });
});

describe("the weekly totals behind the views", () => {
  const direct = `SELECT date(creation_date, 'weekday 0', '-6 days') AS week_start, count(*) AS votes,
      count(DISTINCT post_id) AS posts_voted, sum(vote_type_id = 2) AS upvotes, sum(vote_type_id = 3) AS downvotes,
      min(creation_date) AS first_vote, max(creation_date) AS last_vote,
      count(DISTINCT CASE WHEN vote_type_id IN (2, 3) THEN post_id END) AS updown_posts_voted
    FROM votes GROUP BY 1 ORDER BY 1`;
  const directPosts = `SELECT date(creation_date, 'weekday 0', '-6 days') AS week_start, count(*) AS created,
      min(creation_date) AS first_created, max(last_activity_date) AS last_activity
    FROM posts GROUP BY 1 ORDER BY 1`;

  function expectExact(db: string): void {
    expect(queryRows(db, "SELECT * FROM weekly_vote_totals ORDER BY week_start")).toEqual(
      queryRows(db, direct),
    );
    expect(queryRows(db, "SELECT * FROM weekly_post_totals ORDER BY week_start")).toEqual(
      queryRows(db, directPosts),
    );
  }

  it("stay equal to grouping the rows, through new, changed, moved, stale and rebuilt deliveries", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");

    for (const snapshot of [1, 3, 2]) {
      const delivery = await generated(dir, snapshot);
      expect((await cli("--db", db, delivery.posts, delivery.votes)).code).toBe(0);
      expectExact(db);
    }
    // Re-sent earlier, vote 1 wins under the votes rule (the earliest content) and changes week.
    const moved = await fileWith(dir, "moved.json", `[${vote(1, 1, "2008-01-09", 3)}\n]`);
    expect((await cli("--db", db, moved)).code).toBe(0);
    expectExact(db);
    expect(queryRows(db, "SELECT votes FROM weekly_votes WHERE week_start = '2008-01-07'")).toEqual(
      [{ votes: 1 }],
    );
    expect((await cli("rebuild", "--db", db)).code).toBe(0);
    expectExact(db);
  });
});

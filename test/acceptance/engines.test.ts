import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../src/check/checks.js";
import { snapshotChanges } from "../../tools/generate/index.js";
import type { FileReport } from "../../src/load/load-file.js";
import { ingest } from "../../src/run/ingest.js";
import { rebuild } from "../../src/run/rebuild.js";
import {
  generated,
  records,
  SMALL,
  writeLayout,
  type DeliveryPaths,
} from "../helpers/deliveries.js";
import { ENGINES, SQLITE, type TestWarehouse } from "../helpers/engines.js";
import { rejection } from "../helpers/errors.js";
import { cli, fileWith, fixtureDelivery } from "../helpers/fixtures.js";
import { post, rulebreakers, vote } from "../helpers/rulebreakers.js";
import { tempDir } from "../helpers/temp-dir.js";

/** What analysts see of a warehouse: the tables and views of the data dictionary, in a stable order. */
const ANALYST_QUERIES = {
  posts: "SELECT * FROM posts ORDER BY id",
  votes: "SELECT * FROM votes ORDER BY id",
  post_tags: "SELECT * FROM post_tags ORDER BY post_id, tag",
  weeks: "SELECT * FROM weeks ORDER BY week_start",
  weekly_votes_all_weeks: "SELECT * FROM weekly_votes_all_weeks ORDER BY week_start",
  weekly_votes: "SELECT * FROM weekly_votes ORDER BY week_start",
  post_weekly_votes: "SELECT * FROM post_weekly_votes ORDER BY post_id, week_start",
  questions: "SELECT * FROM questions ORDER BY id",
  answers: "SELECT * FROM answers ORDER BY id",
  totals:
    "SELECT (SELECT count(*) FROM posts) AS posts, (SELECT sum(score) FROM posts) AS score, (SELECT count(*) FROM votes) AS votes",
  loads:
    "SELECT load_id, run_id, kind, outcome, delivery, records_read, inserted, updated, unchanged, rejected, deleted, restored, conflicts FROM loads ORDER BY load_id",
  rejected_records: "SELECT * FROM rejected_records ORDER BY load_id, record_number",
  vote_conflicts: "SELECT * FROM vote_conflicts ORDER BY vote_id, load_id",
} as const;

async function analystView(warehouse: TestWarehouse): Promise<Record<string, unknown>> {
  const view: Record<string, unknown> = {};
  for (const [name, sql] of Object.entries(ANALYST_QUERIES)) view[name] = await warehouse.rows(sql);
  return view;
}

/** Three deliveries: two snapshots of the generated site, then the first one again, late. */
async function threeDeliveries(dir: string) {
  const { posts, votes } = records(1);
  return [
    await generated(dir, 1),
    await generated(dir, 2),
    {
      posts: await writeLayout(join(dir, "stale-posts.ndjson"), posts, "ndjson"),
      votes: await writeLayout(join(dir, "stale-votes.ndjson"), votes, "ndjson"),
    },
  ];
}

describe.each(ENGINES)("on $name", (engine) => {
  it("merges three deliveries (one stale), is re-created whole after its database is dropped, and answers as SQLite does", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const reference = await SQLITE.fresh(join(dir, "reference"));
    const counts = (files: readonly FileReport[]) =>
      files.map(({ kind, read, inserted, updated, unchanged, rejected, stale }) => ({
        kind,
        read,
        inserted,
        updated,
        unchanged,
        rejected,
        stale,
      }));
    const stale = [];
    for (const delivery of await threeDeliveries(dir)) {
      const run = await cli("ingest", delivery.posts, delivery.votes, ...warehouse.args, "--json");
      expect(run.code).toBe(0);
      const expected = await ingest({
        warehouse: reference.destination,
        ...delivery,
        checks: false,
      });
      const files = (JSON.parse(run.stdout) as { files: FileReport[] }).files;
      expect(counts(files)).toEqual(counts(expected.files));
      stale.push(files.map((file) => file.stale));
    }
    // Only the late delivery brings posts older than the stored ones.
    expect(stale[2]?.[0]).toBeGreaterThan(0);
    expect(stale.slice(0, 2).flat()).toEqual([0, 0, 0, 0]);
    const loaded = await analystView(warehouse);
    expect(loaded).toEqual(await analystView(reference));

    await warehouse.drop();
    const rebuilt = await cli("rebuild", ...warehouse.args);
    expect(rebuilt.stderr).toBe("");
    expect(rebuilt.code).toBe(0);
    expect(await analystView(warehouse)).toEqual(loaded);
  });

  it("gives the same warehouse whatever order deliveries arrive in, and the same counts as the SQLite merge", async () => {
    const dir = await tempDir();
    const [first, second] = (await threeDeliveries(dir)).slice(0, 2) as [
      DeliveryPaths,
      DeliveryPaths,
    ];
    const inOrder = await engine.fresh(join(dir, "a"));
    const reversed = await engine.fresh(join(dir, "b"));
    const reports = [];
    for (const delivery of [first, second]) {
      reports.push(await ingest({ warehouse: inOrder.destination, ...delivery, checks: false }));
    }
    for (const delivery of [second, first]) {
      await ingest({ warehouse: reversed.destination, ...delivery, checks: false });
    }
    const content = (w: TestWarehouse) =>
      Promise.all([w.rows(ANALYST_QUERIES.posts), w.rows(ANALYST_QUERIES.weekly_votes_all_weeks)]);
    const stripLoads = (rows: Record<string, unknown>[][]) =>
      rows.map((table) => table.map(({ load_id: _load, ...row }) => row));
    expect(stripLoads(await content(reversed))).toEqual(stripLoads(await content(inOrder)));
    for (const { files } of reports) {
      for (const file of files) {
        expect(file.read).toBe(file.inserted + file.updated + file.unchanged + file.rejected);
      }
    }
    expect(reports[1]?.files.some((file) => file.updated > 0)).toBe(true);
  });

  it("deletes what a full snapshot lacks, leaves it out of every view, and restores it when it comes back", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    await ingest({ warehouse: warehouse.destination, ...(await generated(dir, 1)) });
    const second = await ingest({
      warehouse: warehouse.destination,
      ...(await generated(dir, 2)),
      snapshot: true,
    });
    const dropped = snapshotChanges({ ...SMALL, snapshot: 2 });
    expect(second.files.map((file) => file.deleted)).toEqual([
      dropped.posts.deleted.length,
      dropped.votes.deleted.length,
    ]);
    const liveIds = async (kind: "posts" | "votes") =>
      (await warehouse.rows(`SELECT id FROM ${kind} ORDER BY id`)).map((row) => Number(row.id));
    const deletedPost = dropped.posts.deleted[0];
    expect(await liveIds("posts")).not.toContain(deletedPost);
    expect(await liveIds("votes")).not.toContain(dropped.votes.deleted[0]);

    const { posts, votes } = records(1);
    const third = await cli(
      "ingest",
      await writeLayout(join(dir, "again-posts.ndjson"), posts, "ndjson"),
      await writeLayout(join(dir, "again-votes.ndjson"), votes, "ndjson"),
      "--no-checks",
      ...warehouse.args,
    );
    expect(third.code).toBe(0);
    // An increment that brings deleted records back says so: they are counted unchanged otherwise.
    expect(third.stdout).toMatch(
      /\nnote: \S+again-posts\.ndjson: [1-9]\d* deleted posts it holds again are live again/,
    );
    expect(await liveIds("posts")).toContain(deletedPost);
    // The load that brought it back is the one that last changed it.
    const [restoredRow] = await warehouse.rows(
      `SELECT load_id FROM posts WHERE id = ${String(deletedPost)}`,
    );
    const [lastPostsLoad] = await warehouse.rows(
      "SELECT max(load_id) AS load_id FROM loads WHERE kind = 'posts'",
    );
    expect(Number(restoredRow?.load_id)).toBe(Number(lastPostsLoad?.load_id));
  });

  it("deletes the only records of a week, leaving that week without totals", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const early = post({ id: 1, created: "2019-01-08T10:00:00.000" });
    const later = post({
      id: 2,
      created: "2019-03-05T10:00:00.000",
      activity: "2019-03-06T10:00:00.000",
    });
    const both = await fileWith(dir, "both-posts.json", `[${early},\n${later}]`);
    const one = await fileWith(dir, "later-posts.json", `[${later}]`);
    expect((await cli("ingest", both, "--snapshot", ...warehouse.args)).code).toBe(0);
    const result = await cli(
      "ingest",
      one,
      "--snapshot",
      "--max-deleted",
      "100%",
      ...warehouse.args,
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(
      await warehouse.rows("SELECT week_start FROM weekly_post_totals ORDER BY week_start"),
    ).toEqual([{ week_start: "2019-03-04" }]);
  });

  it("refuses a snapshot that would delete too much, a broken file and too many bad records, changing nothing", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const delivery = await generated(dir, 1);
    await ingest({ warehouse: warehouse.destination, ...delivery });
    const before = await analystView(warehouse);

    const few = await writeLayout(join(dir, "few.json"), records(1).posts.slice(0, 10), "supplier");
    const cut = await cli("ingest", few, delivery.votes, "--snapshot", ...warehouse.args);
    expect(cut.code).toBe(10);
    const broken = await fileWith(dir, "broken.json", '[{"Id":"1","PostTypeId":"1"');
    const refused = await cli("ingest", broken, delivery.votes, ...warehouse.args);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/broken\.json/);
    const bad = await fileWith(
      dir,
      "bad-votes.json",
      `[${[vote(900, 1, 2), '{"Id":"901","PostId":"x","VoteTypeId":"2","CreationDate":"2019-01-01T00:00:00.000"}'].join(",\n")}]`,
    );
    const tooMany = await cli("ingest", delivery.posts, bad, ...warehouse.args);
    expect(tooMany.code).toBe(5);

    expect(await analystView(warehouse)).toEqual(before);
  });

  it("refuses a full snapshot older than its data, changing nothing, and merges it sent as an increment", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    for (const snapshot of [1, 2]) {
      const delivery = await generated(dir, snapshot);
      await ingest({ warehouse: warehouse.destination, ...delivery, snapshot: true });
    }
    const before = await analystView(warehouse);
    // Snapshot 1 again, in other bytes (NDJSON), so it is read rather than known by its sha256.
    const old = await writeLayout(join(dir, "old-posts.ndjson"), records(1).posts, "ndjson");
    // Lacking the records added since, it lacks too many: the refusal says it looks old.
    const lacking = await cli("ingest", old, "--snapshot", ...warehouse.args);
    expect(lacking.code).toBe(10);
    expect(lacking.stderr).toMatch(/: an old snapshot, or one cut short at its end\?\n$/);
    const refused = await cli(
      "ingest",
      old,
      "--snapshot",
      "--max-deleted",
      "100%",
      ...warehouse.args,
    );
    expect(refused.code).toBe(11);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^stackhouse: ${old}: this full snapshot is older than what the warehouse holds: its newest last activity of a post is \\S+, older than the warehouse's \\S+\\. Applied, it would delete the posts delivered since and bring back those deleted since, so nothing was loaded\\n$`,
      ),
    );
    expect(await analystView(warehouse)).toEqual(before);

    // As an increment it is merged by the merge rules, and deletes nothing.
    const merged = await ingest({ warehouse: warehouse.destination, posts: old, checks: false });
    expect(merged.files[0]).toMatchObject({ outcome: "loaded", inserted: 0, deleted: 0 });
  });

  it("quarantines bad records with their reason and counts every record once", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const fixture = await fixtureDelivery(dir);
    const votes = await fileWith(
      dir,
      "votes.json",
      `[${[vote(1, 1, 2), '{"Id":"2","PostId":"1","VoteTypeId":"two","CreationDate":"2019-01-07T00:00:00.000"}', vote(3, 1, 2)].join(",\n")}]`,
    );
    const report = await ingest({
      warehouse: warehouse.destination,
      posts: fixture.posts,
      votes,
      maxRejectedShare: 0.5,
    });
    const votesFile = report.files[1];
    expect([votesFile?.read, votesFile?.inserted, votesFile?.rejected]).toEqual([3, 2, 1]);
    const [rejected] = await warehouse.rows("SELECT record_number, reason FROM rejected_records");
    expect(rejected?.record_number).toBe(2);
    expect(rejected?.reason).toMatch(/VoteTypeId/);

    const again = await ingest({
      warehouse: warehouse.destination,
      posts: fixture.posts,
      votes,
      maxRejectedShare: 0.5,
    });
    expect(again.files.map((file) => file.outcome)).toEqual(["already-loaded", "already-loaded"]);
  });

  it("keeps the earliest content of a vote re-sent with other content, and the loser as a conflict", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const posts = await fileWith(dir, "posts.json", `[${post({ id: 1 })}]`);
    const later = await fileWith(
      dir,
      "v1.json",
      `[${vote(5, 1, 2, { CreationDate: "2019-01-09T00:00:00.000" })}]`,
    );
    const earlier = await fileWith(
      dir,
      "v2.json",
      `[${vote(5, 1, 3, { CreationDate: "2019-01-02T00:00:00.000" })}]`,
    );
    await ingest({ warehouse: warehouse.destination, posts, votes: later });
    const report = await ingest({ warehouse: warehouse.destination, posts, votes: earlier });
    expect(report.files[1]).toMatchObject({ updated: 1, conflicts: 1 });
    expect(await warehouse.rows("SELECT id, vote_type_id, creation_date FROM votes")).toEqual([
      { id: 5, vote_type_id: 3, creation_date: "2019-01-02T00:00:00.000" },
    ]);
    expect(await warehouse.rows("SELECT vote_id, vote_type_id FROM vote_conflicts")).toEqual([
      { vote_id: 5, vote_type_id: 2 },
    ]);
  });

  it("finds the rule breakers with the checks, and stores the results", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const fixture = await fixtureDelivery(dir);
    await ingest({ warehouse: warehouse.destination, ...fixture });
    const posts = await fileWith(dir, "p.json", `[${rulebreakers.posts.join(",\n")}]`);
    const votes = await fileWith(dir, "v.json", `[${rulebreakers.votes.join(",\n")}]`);
    await ingest({ warehouse: warehouse.destination, posts, votes, checks: false });
    const checked = await cli("check", "--json", ...warehouse.args);
    expect(checked.code).toBe(6);
    const report = JSON.parse(checked.stdout) as { results: { name: string; sample: number[] }[] };
    expect(report.results.map((result) => result.name)).toEqual(CHECKS.map((check) => check.name));
    const found = Object.fromEntries(report.results.map((result) => [result.name, result.sample]));
    expect(found).toMatchObject({
      votes_orphaned: [7, 25],
      accepted_answer_not_an_answer: [10],
      vote_user_id_type: [20],
      unknown_vote_types: [24],
    });
    const stored = await warehouse.rows(
      "SELECT name, failing FROM latest_check_results WHERE name = 'votes_orphaned'",
    );
    expect(stored).toEqual([{ name: "votes_orphaned", failing: 2 }]);
  });

  it("refuses what is not there: a report or check before any ingest, a rebuild without an archive", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const report = await cli("report", ...warehouse.args);
    expect(report.code).not.toBe(0);
    expect(report.stderr).toMatch(/no warehouse here/);
    const rebuilt = await rejection(rebuild({ warehouse: warehouse.destination }));
    expect(rebuilt.message).toMatch(/no archived deliveries/);
  });
});

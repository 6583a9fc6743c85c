import { rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { DeferredRollups } from "../../src/warehouse/deferred-rollups.js";
import { generated } from "../helpers/deliveries.js";
import { cli } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";

const GROUPED = `SELECT date(creation_date, 'weekday 0', '-6 days') AS week_start, count(*) AS votes,
    count(DISTINCT post_id) AS posts_voted, sum(vote_type_id = 2) AS upvotes, sum(vote_type_id = 3) AS downvotes,
    min(creation_date) AS first_vote, max(creation_date) AS last_vote,
    count(DISTINCT CASE WHEN vote_type_id IN (2, 3) THEN post_id END) AS updown_posts_voted
  FROM votes GROUP BY 1 ORDER BY 1`;
const STORED = "SELECT * FROM weekly_vote_totals ORDER BY week_start";

/** A warehouse whose weekly vote totals were emptied, and the weeks its votes fall in. */
async function warehouseWithoutTotals(): Promise<{ db: Database.Database; weeks: string[] }> {
  const dir = await tempDir();
  const path = join(dir, "w.db");
  const delivery = await generated(dir, 1);
  expect((await cli("--db", path, delivery.posts, delivery.votes)).code).toBe(0);
  const db = new Database(path);
  db.exec("DELETE FROM weekly_vote_totals");
  const weeks = (db.prepare(GROUPED).all() as { week_start: string }[]).map(
    (row) => row.week_start,
  );
  return { db, weeks };
}

/** Deferred rollups with the weeks of each run given, as `refreshRollups` adds them. */
function rollupsOf(...runs: string[][]): DeferredRollups {
  const rollups = new DeferredRollups();
  for (const votes of runs) rollups.add({ votes, posts: [] }, new Date());
  return rollups;
}

describe("DeferredRollups", () => {
  it("writes the totals of every week added, read on a worker thread", async () => {
    const { db, weeks } = await warehouseWithoutTotals();
    const rollups = rollupsOf(weeks.slice(0, 3), weeks.slice(3));
    rollups.start(db);
    await rollups.finish(db);
    expect(weeks.length).toBeGreaterThan(3);
    expect(db.prepare(STORED).all()).toEqual(db.prepare(GROUPED).all());
  });

  it("reads again the weeks added after the worker started, which it would miss", async () => {
    const { db, weeks } = await warehouseWithoutTotals();
    const rollups = rollupsOf(weeks.slice(0, 1));
    rollups.start(db);
    rollups.add({ votes: weeks.slice(1), posts: [] }, new Date());
    await rollups.finish(db);
    expect(db.prepare(STORED).all()).toEqual(db.prepare(GROUPED).all());
  });

  it("reads again when a run after the worker started changed weeks it had already read", async () => {
    const { db, weeks } = await warehouseWithoutTotals();
    const rollups = rollupsOf(weeks);
    expect(rollups.start(db)).toBe(true);
    // The worker's totals are read in full before the next run deletes votes of the same weeks.
    await (rollups as unknown as { reading: { totals: Promise<unknown> } }).reading.totals;
    db.exec("DELETE FROM votes_all WHERE id % 3 = 0");
    rollups.add({ votes: weeks.slice(0, 1), posts: [] }, new Date());
    await rollups.finish(db);
    expect(db.prepare(STORED).all()).toEqual(db.prepare(GROUPED).all());
  });

  it("does not start inside a transaction, whose rows the worker could not see", async () => {
    const { db, weeks } = await warehouseWithoutTotals();
    const rollups = rollupsOf(weeks);
    db.exec("BEGIN");
    db.exec("DELETE FROM votes_all WHERE id % 2 = 0");
    expect(rollups.start(db)).toBe(false);
    db.exec("COMMIT");
    expect(rollups.start(db)).toBe(true);
    await rollups.finish(db);
    expect(db.prepare(STORED).all()).toEqual(db.prepare(GROUPED).all());
  });

  it("fails the build when the worker cannot read the totals", async () => {
    const { db, weeks } = await warehouseWithoutTotals();
    const rollups = rollupsOf(weeks);
    rmSync(db.name);
    rollups.start(db);
    await expect(rollups.finish(db)).rejects.toThrow(/the weekly totals could not be read/);
    expect(db.prepare("SELECT count(*) FROM weekly_vote_totals").pluck().get()).toBe(0);
  });
});

import type { Database } from "better-sqlite3";
import { calendarTables, type PostWeek, type VoteWeek } from "../analysis/weekly-calendar.js";

/**
 * Schema step 7: the `weeks` calendar and `weekly_votes_all_weeks` become tables each run writes
 * from the weekly totals, by the one calendar rule every engine shares (`calendarTables`),
 * instead of SQL views that each engine would write its own way.
 */
export function applyCalendarMigration(db: Database): void {
  db.exec(`
DROP VIEW weekly_votes;
DROP VIEW weekly_votes_all_weeks;
DROP VIEW weeks;
CREATE TABLE weeks (
  week_start TEXT PRIMARY KEY,
  week_end TEXT NOT NULL,
  iso_year INTEGER NOT NULL,
  iso_week INTEGER NOT NULL,
  is_partial INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE weekly_votes_all_weeks (
  week_start TEXT PRIMARY KEY,
  votes INTEGER NOT NULL,
  posts_voted INTEGER NOT NULL,
  mean_votes_per_post REAL,
  iso_year INTEGER NOT NULL,
  iso_week INTEGER NOT NULL,
  upvotes INTEGER NOT NULL,
  downvotes INTEGER NOT NULL,
  posts_live INTEGER NOT NULL,
  mean_votes_per_live_post REAL,
  is_partial INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE VIEW weekly_votes AS SELECT * FROM weekly_votes_all_weeks WHERE votes > 0;
`);
  writeCalendar(db, new Date());
}

/**
 * Rewrites the calendar tables from the weekly totals, as of `now`; call inside the run's
 * transaction, after the totals are refreshed.
 *
 * @example
 * writeCalendar(db, new Date());
 */
export function writeCalendar(db: Database, now: Date): void {
  const votes = db
    .prepare("SELECT * FROM weekly_vote_totals ORDER BY week_start")
    .all() as VoteWeek[];
  const posts = db
    .prepare("SELECT * FROM weekly_post_totals ORDER BY week_start")
    .all() as PostWeek[];
  const tables = calendarTables(votes, posts, now);
  for (const [table, rows] of Object.entries(tables) as [
    keyof typeof tables,
    readonly Record<string, unknown>[],
  ][]) {
    db.prepare(`DELETE FROM ${table}`).run();
    // The columns the table has so far: a step before the one that adds a column writes without it.
    const known = new Set(db.prepare("SELECT name FROM pragma_table_info(?)").pluck().all(table));
    const columns = Object.keys(rows[0] ?? {}).filter((name) => known.has(name));
    if (columns.length === 0) continue;
    const insert = db.prepare(
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((name) => `@${name}`).join(", ")})`,
    );
    for (const row of rows) insert.run(row);
  }
}

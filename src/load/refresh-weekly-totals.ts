import type { Database } from "better-sqlite3";
import type { SqliteMerger } from "./sqlite-merger.js";

const WEEK_OF = "date(creation_date, 'weekday 0', '-6 days')";

/**
 * Recomputes the weekly totals (`weekly_vote_totals`, `weekly_post_totals`) of every week a run
 * touched, from the rows themselves, so the weekly views stay exact while reading a few hundred
 * rows instead of every vote. One pass over votes (and one over the posts' creation index) per
 * run; call inside the run's transaction, after its files are merged.
 *
 * @example
 * refreshWeeklyTotals(db, merger);
 */
export function refreshWeeklyTotals(db: Database, merger: SqliteMerger): void {
  const voteWeeks = merger.takeTouchedWeeks("votes");
  const postWeeks = merger.takeTouchedWeeks("posts");
  if (voteWeeks.length > 0) {
    const weeks = JSON.stringify(voteWeeks);
    db.prepare(
      "DELETE FROM weekly_vote_totals WHERE week_start IN (SELECT value FROM json_each(?))",
    ).run(weeks);
    db.prepare(
      `INSERT INTO weekly_vote_totals
       SELECT ${WEEK_OF} AS week, count(*), count(DISTINCT post_id), sum(vote_type_id = 2),
              sum(vote_type_id = 3), min(creation_date), max(creation_date)
       FROM votes WHERE creation_date >= ?
       GROUP BY week HAVING week IN (SELECT value FROM json_each(?))`,
    ).run(earliest(voteWeeks), weeks);
  }
  if (postWeeks.length > 0) {
    const weeks = JSON.stringify(postWeeks);
    db.prepare(
      "DELETE FROM weekly_post_totals WHERE week_start IN (SELECT value FROM json_each(?))",
    ).run(weeks);
    db.prepare(
      `INSERT INTO weekly_post_totals
       SELECT ${WEEK_OF} AS week, count(*), min(creation_date), max(last_activity_date)
       FROM posts INDEXED BY posts_by_creation
       WHERE creation_date >= ?
       GROUP BY week HAVING week IN (SELECT value FROM json_each(?))`,
    ).run(earliest(postWeeks), weeks);
  }
}

function earliest(weeks: readonly string[]): string {
  return weeks.reduce((first, week) => (week < first ? week : first));
}

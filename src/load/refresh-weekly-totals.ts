import type { Database } from "better-sqlite3";
import type { SqliteMerger } from "./sqlite-merger.js";

/**
 * Recomputes the weekly totals (`weekly_vote_totals`, `weekly_post_totals`) of every week a run
 * touched, from the rows themselves, so the weekly views stay exact while reading a few hundred
 * rows instead of every vote. Each week is one index range scan; call inside the run's
 * transaction, after its files are merged.
 *
 * @example
 * refreshWeeklyTotals(db, merger);
 */
export function refreshWeeklyTotals(db: Database, merger: SqliteMerger): void {
  const voteWeeks = merger.takeTouchedWeeks("votes");
  const postWeeks = merger.takeTouchedWeeks("posts");
  if (voteWeeks.length > 0) {
    const forget = db.prepare("DELETE FROM weekly_vote_totals WHERE week_start = ?");
    const count = db.prepare(
      `INSERT INTO weekly_vote_totals (week_start, votes, posts_voted, upvotes, downvotes)
       SELECT @week, count(*), count(DISTINCT post_id), sum(vote_type_id = 2), sum(vote_type_id = 3)
       FROM votes WHERE creation_date >= @week AND creation_date < date(@week, '+7 days')
       HAVING count(*) > 0`,
    );
    for (const week of voteWeeks) {
      forget.run(week);
      count.run({ week });
    }
  }
  if (postWeeks.length > 0) {
    const forget = db.prepare("DELETE FROM weekly_post_totals WHERE week_start = ?");
    const count = db.prepare(
      `INSERT INTO weekly_post_totals (week_start, created)
       SELECT @week, count(*) FROM posts
       WHERE creation_date >= @week AND creation_date < date(@week, '+7 days')
       HAVING count(*) > 0`,
    );
    for (const week of postWeeks) {
      forget.run(week);
      count.run({ week });
    }
  }
}

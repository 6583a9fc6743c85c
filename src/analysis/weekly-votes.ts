import type { Database } from "better-sqlite3";

/** One row of the `weekly_votes` view. */
export interface WeeklyVotes {
  /** Monday of the ISO week, `YYYY-MM-DD` (UTC). */
  readonly week_start: string;
  readonly votes: number;
  readonly posts_voted: number;
  readonly mean_votes_per_post: number;
}

/** The weekly answer in brief: the mean over weeks of votes per voted post. */
export interface WeeklySummary {
  readonly weeks: number;
  readonly firstWeek: string | null;
  readonly lastWeek: string | null;
  /** Mean over weeks of `mean_votes_per_post` (null when there are no votes). */
  readonly meanOfWeeklyMeans: number | null;
  readonly votes: number;
}

/**
 * Reads the whole `weekly_votes` series, oldest week first.
 *
 * @example
 * const weeks = readWeeklyVotes(db); // [{ week_start: "2017-02-27", votes: 61, ... }, ...]
 */
export function readWeeklyVotes(db: Database): WeeklyVotes[] {
  return db
    .prepare(
      "SELECT week_start, votes, posts_voted, mean_votes_per_post FROM weekly_votes ORDER BY week_start",
    )
    .all() as WeeklyVotes[];
}

/** Summarises a weekly series. */
export function summarizeWeekly(weeks: readonly WeeklyVotes[]): WeeklySummary {
  const total = weeks.reduce((sum, week) => sum + week.mean_votes_per_post, 0);
  return {
    weeks: weeks.length,
    firstWeek: weeks[0]?.week_start ?? null,
    lastWeek: weeks.at(-1)?.week_start ?? null,
    meanOfWeeklyMeans: weeks.length === 0 ? null : total / weeks.length,
    votes: weeks.reduce((sum, week) => sum + week.votes, 0),
  };
}

import type { Database } from "better-sqlite3";
import { WEEK_OF_SQL } from "../model/week.js";
import { timeWindow } from "../validate/parse-value.js";
import { DEFINITIONS, ratio, type Definition } from "./definitions.js";
import {
  weeklyCalendar,
  type OutOfWindow,
  type PostWeek,
  type VoteWeek,
  type WeeklyCalendar,
} from "./weekly-calendar.js";

/** One ISO week of the calendar, with the weekly metric under both definitions. */
export interface WeekPoint {
  /** Monday of the ISO week, `YYYY-MM-DD` (UTC). */
  readonly week_start: string;
  readonly iso_year: number;
  readonly iso_week: number;
  readonly votes: number;
  readonly posts_voted: number;
  /** votes / distinct posts voted that week; null in a week without votes. */
  readonly mean_votes_per_post: number | null;
  readonly upvotes: number;
  readonly downvotes: number;
  /** Distinct posts with an up- or down-vote that week. */
  readonly updown_posts_voted: number;
  readonly posts_live: number;
  /** votes / posts created by the week's end (posts with no votes count too). */
  readonly mean_votes_per_live_post: number | null;
  /** The first or last week of the data, which it does not cover whole. */
  readonly is_partial: 0 | 1;
}

/** A statistic over full weeks, with the weeks where it is lowest and highest. */
export interface MetricSummary {
  readonly weeks: number;
  /** The mean of the weekly ratios: each week counts the same, however many votes it had. */
  readonly mean: number | null;
  /** The pooled ratio: all the weeks' votes over all their posts, so busy weeks weigh more. */
  readonly pooled: number | null;
  readonly median: number | null;
  readonly lowest: { readonly week_start: string; readonly value: number } | null;
  readonly highest: { readonly week_start: string; readonly value: number } | null;
}

/** The answer to "what is the mean votes per post per week?", both ways it can be meant. */
export interface WeeklyAnswer {
  readonly series: readonly WeekPoint[];
  readonly firstWeek: string | null;
  readonly lastWeek: string | null;
  readonly fullWeeks: number;
  readonly partialWeeks: number;
  /** Per voted post: votes / posts that got a vote that week (weeks without votes left out). */
  readonly perVotedPost: MetricSummary;
  /** Per live post: votes / posts that existed by the week's end (weeks without votes count 0). */
  readonly perLivePost: MetricSummary;
  /** Both definitions again, counting up- and down-votes only. */
  readonly upDown: { readonly perVotedPost: MetricSummary; readonly perLivePost: MetricSummary };
  /** Data dated outside 2008 to the time of the report, left out of the series; null if none. */
  readonly outOfWindow: OutOfWindow | null;
}

const WEEK = WEEK_OF_SQL.sqlite("creation_date");

/** The weekly totals each run keeps exact, or the same grouped from the rows (schema before 4). */
const WEEK_SOURCES = {
  totals: {
    votes: `SELECT week_start, votes, posts_voted, upvotes, downvotes, updown_posts_voted,
              first_vote, last_vote
            FROM weekly_vote_totals ORDER BY week_start`,
    posts: `SELECT week_start, created, first_created, last_activity
            FROM weekly_post_totals ORDER BY week_start`,
  },
  rows: {
    votes: `SELECT ${WEEK} AS week_start, count(*) AS votes,
              count(DISTINCT post_id) AS posts_voted, sum(vote_type_id = 2) AS upvotes,
              sum(vote_type_id = 3) AS downvotes,
              count(DISTINCT CASE WHEN vote_type_id IN (2, 3) THEN post_id END) AS updown_posts_voted,
              min(creation_date) AS first_vote, max(creation_date) AS last_vote
            FROM votes GROUP BY 1 ORDER BY 1`,
    posts: `SELECT ${WEEK} AS week_start, count(*) AS created,
              min(creation_date) AS first_created, max(last_activity_date) AS last_activity
            FROM posts GROUP BY 1 ORDER BY 1`,
  },
} as const;

/**
 * Builds the weekly series over the whole calendar (weeks without votes included) from the
 * weekly totals, as `weekly_votes_all_weeks` does but bounded to the plausible window (2008 to
 * `now`), and summarises both definitions over full weeks only, so a half-covered first or last
 * week does not skew them.
 *
 * @example
 * const answer = weeklyAnswer(db);
 * answer.perVotedPost.mean; // e.g. 1.43
 */
export function weeklyAnswer(db: Database, now: number = Date.now()): WeeklyAnswer {
  const hasTotals =
    db
      .prepare(
        "SELECT 1 FROM pragma_table_info('weekly_vote_totals') WHERE name = 'updown_posts_voted'",
      )
      .get() !== undefined;
  const source = hasTotals ? WEEK_SOURCES.totals : WEEK_SOURCES.rows;
  const read = db.transaction(() => ({
    votes: db.prepare(source.votes).all() as VoteWeek[],
    posts: db.prepare(source.posts).all() as PostWeek[],
  }));
  const { votes, posts } = read();
  return summarizeWeeks(weeklyCalendar(votes, posts, timeWindow(now)));
}

/**
 * Summarises a weekly calendar (oldest week first) under both definitions, over full weeks only.
 *
 * @example
 * summarizeWeeks(weeklyCalendar(voteWeeks, postWeeks)).perLivePost.median;
 */
export function summarizeWeeks({ series, outOfWindow }: WeeklyCalendar): WeeklyAnswer {
  const full = series.filter((week) => week.is_partial === 0);
  return {
    series,
    firstWeek: series[0]?.week_start ?? null,
    lastWeek: series.at(-1)?.week_start ?? null,
    fullWeeks: full.length,
    partialWeeks: series.length - full.length,
    perVotedPost: summarize(full, DEFINITIONS.all.perVotedPost),
    perLivePost: summarize(full, DEFINITIONS.all.perLivePost),
    upDown: {
      perVotedPost: summarize(full, DEFINITIONS.updown.perVotedPost),
      perLivePost: summarize(full, DEFINITIONS.updown.perLivePost),
    },
    outOfWindow,
  };
}

function summarize(weeks: readonly WeekPoint[], definition: Definition): MetricSummary {
  const counted = weeks.flatMap((week) => {
    const value = ratio(definition, week);
    return value === null ? [] : [{ week, value }];
  });
  const points = counted.map(({ week, value }) => ({ week_start: week.week_start, value }));
  if (points.length === 0) {
    return { weeks: 0, mean: null, pooled: null, median: null, lowest: null, highest: null };
  }
  const total = (of: (week: WeekPoint) => number) =>
    counted.reduce((sum, { week }) => sum + of(week), 0);
  const sorted = [...points].sort((a, b) => a.value - b.value);
  const middle = sorted.length / 2;
  const median = Number.isInteger(middle)
    ? ((sorted[middle - 1]?.value ?? 0) + (sorted[middle]?.value ?? 0)) / 2
    : (sorted[Math.floor(middle)]?.value ?? 0);
  const by = (pick: (a: number, b: number) => boolean) =>
    points.reduce((best, point) => (pick(point.value, best.value) ? point : best));
  return {
    weeks: points.length,
    mean: points.reduce((sum, point) => sum + point.value, 0) / points.length,
    pooled: total(definition.votes) / total(definition.posts),
    median,
    lowest: by((a, b) => a < b),
    highest: by((a, b) => a > b),
  };
}

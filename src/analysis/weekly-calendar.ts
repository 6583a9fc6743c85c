import type { WeekPoint } from "./weekly-series.js";

/** One ISO week's vote totals (weeks with votes only). */
export interface VoteWeek {
  readonly week_start: string;
  readonly votes: number;
  readonly posts_voted: number;
  readonly upvotes: number;
  readonly downvotes: number;
  readonly first_vote: string;
  readonly last_vote: string;
}

/** One ISO week's post totals, by creation week (weeks with new posts only). */
export interface PostWeek {
  readonly week_start: string;
  readonly created: number;
  readonly first_created: string;
  readonly last_activity: string;
}

const DAY_MS = 86_400_000;

/**
 * The whole weekly calendar from per-week totals, by the rules of SQLite's `weeks` and
 * `weekly_votes_all_weeks` views: every ISO week from the earliest vote or post to the latest
 * vote or post activity, weeks without votes included; `posts_live` counts the posts created by
 * each week's end; the first and last week are partial when the data does not cover them whole.
 * Engines without those views (ClickHouse) build the same series from two small aggregates.
 *
 * @example
 * weeklyCalendar([{ week_start: "2021-08-30", votes: 3, posts_voted: 2, ... }], [...]);
 */
export function weeklyCalendar(
  votes: readonly VoteWeek[],
  posts: readonly PostWeek[],
): WeekPoint[] {
  const firsts = [...votes.map((week) => week.first_vote), ...posts.map((p) => p.first_created)];
  const lasts = [...votes.map((week) => week.last_vote), ...posts.map((p) => p.last_activity)];
  if (firsts.length === 0) return [];
  const firstDay = day(firsts.reduce((a, b) => (b < a ? b : a)));
  const lastDay = day(lasts.reduce((a, b) => (b > a ? b : a)));
  const voteWeeks = new Map(votes.map((week) => [week.week_start, week]));
  const created = new Map(posts.map((week) => [week.week_start, week.created]));

  const series: WeekPoint[] = [];
  let postsLive = 0;
  for (let week = mondayOf(firstDay); week <= mondayOf(lastDay); week += 7 * DAY_MS) {
    const weekStart = isoDate(week);
    const totals = voteWeeks.get(weekStart);
    postsLive += created.get(weekStart) ?? 0;
    const votesCast = totals?.votes ?? 0;
    const postsVoted = totals?.posts_voted ?? 0;
    series.push({
      week_start: weekStart,
      iso_year: new Date(week + 3 * DAY_MS).getUTCFullYear(),
      iso_week: isoWeek(week),
      votes: votesCast,
      posts_voted: postsVoted,
      mean_votes_per_post: postsVoted === 0 ? null : votesCast / postsVoted,
      upvotes: totals?.upvotes ?? 0,
      downvotes: totals?.downvotes ?? 0,
      posts_live: postsLive,
      mean_votes_per_live_post: postsLive === 0 ? null : votesCast / postsLive,
      is_partial: week < firstDay || week + 6 * DAY_MS > lastDay ? 1 : 0,
    });
  }
  return series;
}

/** Midnight UTC of a delivered timestamp's day, in epoch milliseconds. */
function day(timestamp: string): number {
  return Date.parse(`${timestamp.slice(0, 10)}T00:00:00Z`);
}

function mondayOf(time: number): number {
  return time - ((new Date(time).getUTCDay() + 6) % 7) * DAY_MS;
}

function isoDate(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** The ISO week number of the week starting on Monday `monday`: its Thursday's week of the year. */
function isoWeek(monday: number): number {
  const thursday = new Date(monday + 3 * DAY_MS);
  const dayOfYear = (thursday.getTime() - Date.UTC(thursday.getUTCFullYear(), 0, 1)) / DAY_MS;
  return Math.floor(dayOfYear / 7) + 1;
}

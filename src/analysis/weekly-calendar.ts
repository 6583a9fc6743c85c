import { EARLIEST_TIMESTAMP, timeWindow, type TimeWindow } from "../validate/parse-value.js";
import { weekOf } from "../model/week.js";
import { DEFINITIONS, ratio } from "./definitions.js";
import type { WeekPoint } from "./weekly-series.js";

/** One ISO week's vote totals (weeks with votes only). */
export interface VoteWeek {
  readonly week_start: string;
  readonly votes: number;
  readonly posts_voted: number;
  readonly upvotes: number;
  readonly downvotes: number;
  /** Distinct posts with an up- or down-vote that week. */
  readonly updown_posts_voted: number;
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

/**
 * Data dated outside the plausible window (before Stack Exchange began or after the report),
 * which only an older stackhouse loaded: left out of the calendar, which stops at the window.
 */
export interface OutOfWindow {
  /** The window's first and last day, `YYYY-MM-DD`. */
  readonly from: string;
  readonly to: string;
  /** Votes and new posts in the weeks left out. */
  readonly votes: number;
  readonly posts: number;
}

/** The weekly series, and what was dated outside the window (null when nothing was). */
export interface WeeklyCalendar {
  readonly series: WeekPoint[];
  readonly outOfWindow: OutOfWindow | null;
}

const DAY_MS = 86_400_000;
/** Monday of the ISO week holding the earliest plausible timestamp. */
const FIRST_WEEK = weekOf(EARLIEST_TIMESTAMP);

/**
 * The whole weekly calendar from per-week totals, as the `weeks` and `weekly_votes_all_weeks`
 * tables hold it on every engine: every ISO week from the earliest vote or post to the latest
 * vote or post activity, weeks without votes included; `posts_live` counts the posts created by
 * each week's end; the first week is partial when the data begins after its Monday, and the last
 * is partial until the data reaches the Monday after it (a dump taken on a Sunday has that Sunday
 * in part: its votes, dated by day, stop before the day ends).
 * SQLite's report and ClickHouse build it from the same two small aggregates.
 *
 * Unlike the views, it never leaves `window` (from 2008 to the time of the report), so it has at
 * most a thousand-odd weeks however a warehouse loaded by an older stackhouse is dated: weeks
 * outside are left out and counted in `outOfWindow`, and timestamps outside end the span at the
 * window's edge.
 *
 * @example
 * weeklyCalendar([{ week_start: "2021-08-30", votes: 3, posts_voted: 2, ... }], [...]).series;
 */
export function weeklyCalendar(
  allVotes: readonly VoteWeek[],
  allPosts: readonly PostWeek[],
  window: TimeWindow = timeWindow(),
): WeeklyCalendar {
  const lastDay = window.latest.slice(0, 10);
  const inside = (week: { week_start: string }): boolean =>
    week.week_start >= FIRST_WEEK && week.week_start <= lastDay;
  const votes = allVotes.filter(inside);
  const posts = allPosts.filter(inside);
  const firsts = [...votes.map((week) => week.first_vote), ...posts.map((p) => p.first_created)];
  const lasts = [...votes.map((week) => week.last_vote), ...posts.map((p) => p.last_activity)];
  const outside = (timestamp: string): boolean =>
    timestamp < window.earliest || timestamp > window.latest;
  const clamp = (timestamp: string): string =>
    timestamp < window.earliest
      ? window.earliest
      : timestamp > window.latest
        ? window.latest
        : timestamp;
  const leftOut = {
    votes: sumOf(allVotes, (week) => (inside(week) ? 0 : week.votes)),
    posts: sumOf(allPosts, (week) => (inside(week) ? 0 : week.created)),
  };
  const clipped =
    leftOut.votes > 0 || leftOut.posts > 0 || firsts.some(outside) || lasts.some(outside);
  return {
    series: firsts.length === 0 ? [] : calendar(votes, posts, firsts.map(clamp), lasts.map(clamp)),
    outOfWindow: clipped ? { from: window.earliest.slice(0, 10), to: lastDay, ...leftOut } : null,
  };
}

/**
 * What the calendar left out, in words, for the report's note.
 *
 * @example
 * describeOutOfWindow({ from: "2008-01-01", to: "2026-05-01", votes: 1, posts: 1 });
 * // "the warehouse holds timestamps outside 2008-01-01 to 2026-05-01, loaded by an older stackhouse; ..."
 */
export function describeOutOfWindow(outside: OutOfWindow): string {
  return (
    `the warehouse holds timestamps outside ${outside.from} to ${outside.to}, loaded by an older stackhouse; ` +
    `the weeks cover only that span, leaving out ${outside.votes} vote(s) and ${outside.posts} post(s) dated outside it; ` +
    "stackhouse check lists them, and stackhouse rebuild quarantines them"
  );
}

function sumOf<T>(items: readonly T[], count: (item: T) => number): number {
  return items.reduce((sum, item) => sum + count(item), 0);
}

function calendar(
  votes: readonly VoteWeek[],
  posts: readonly PostWeek[],
  firsts: readonly string[],
  lasts: readonly string[],
): WeekPoint[] {
  const first = firsts.reduce((a, b) => (b < a ? b : a));
  const last = lasts.reduce((a, b) => (b > a ? b : a));
  const firstDay = day(first);
  const lastDay = day(last);
  const voteWeeks = new Map(votes.map((week) => [week.week_start, week]));
  const created = new Map(posts.map((week) => [week.week_start, week.created]));

  const series: WeekPoint[] = [];
  let postsLive = 0;
  const lastWeek = day(weekOf(last));
  for (let week = day(weekOf(first)); week <= lastWeek; week += 7 * DAY_MS) {
    const weekStart = isoDate(week);
    const totals = voteWeeks.get(weekStart);
    postsLive += created.get(weekStart) ?? 0;
    const counts = {
      votes: totals?.votes ?? 0,
      posts_voted: totals?.posts_voted ?? 0,
      upvotes: totals?.upvotes ?? 0,
      downvotes: totals?.downvotes ?? 0,
      updown_posts_voted: totals?.updown_posts_voted ?? 0,
      posts_live: postsLive,
    };
    series.push({
      week_start: weekStart,
      iso_year: new Date(week + 3 * DAY_MS).getUTCFullYear(),
      iso_week: isoWeek(week),
      ...counts,
      mean_votes_per_post: ratio(DEFINITIONS.all.perVotedPost, counts),
      mean_votes_per_live_post: ratio(DEFINITIONS.all.perLivePost, counts),
      is_partial: week < firstDay || week + 7 * DAY_MS > lastDay ? 1 : 0,
    });
  }
  return series;
}

/** Midnight UTC of a delivered timestamp's day, in epoch milliseconds. */
function day(timestamp: string): number {
  return Date.parse(`${timestamp.slice(0, 10)}T00:00:00Z`);
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

/** The rows of the `weeks` and `weekly_votes_all_weeks` tables each run writes, on every engine. */
export interface CalendarTables {
  readonly weeks: readonly Record<string, string | number>[];
  readonly weekly_votes_all_weeks: readonly WeekPoint[];
}

/**
 * The calendar tables from the weekly totals, as of `now`: one rule for every engine.
 *
 * @example
 * calendarTables(voteWeeks, postWeeks, new Date()).weeks[0]; // { week_start: "2017-02-27", week_end: "2017-03-05", ... }
 */
export function calendarTables(
  votes: readonly VoteWeek[],
  posts: readonly PostWeek[],
  now: Date,
): CalendarTables {
  const { series } = weeklyCalendar(votes, posts, timeWindow(now.getTime()));
  return {
    weeks: series.map((week) => ({
      week_start: week.week_start,
      week_end: isoDate(Date.parse(`${week.week_start}T00:00:00Z`) + 6 * DAY_MS),
      iso_year: week.iso_year,
      iso_week: week.iso_week,
      is_partial: week.is_partial,
    })),
    weekly_votes_all_weeks: series,
  };
}

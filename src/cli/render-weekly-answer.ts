import { answerNotes } from "../analysis/answer-notes.js";
import { chartPanels, ROLLING_WEEKS } from "../analysis/chart-panels.js";
import { describeOutOfWindow } from "../analysis/weekly-calendar.js";
import { DEFINITIONS, ratio, type VoteSet } from "../analysis/definitions.js";
import type { MetricSummary, WeekPoint, WeeklyAnswer } from "../analysis/weekly-series.js";
import { formatTable } from "./format-table.js";

const BAR_WIDTH = 16;
const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"] as const;

/** A horizontal bar of `value / max` of the full width, drawn with eighth-block characters. */
export function bar(value: number | null, max: number, width = BAR_WIDTH): string {
  if (value === null || max <= 0 || value <= 0) return "";
  const eighths = Math.round((Math.min(value, max) / max) * width * 8);
  return `${"█".repeat(Math.floor(eighths / 8))}${EIGHTHS[eighths % 8] ?? ""}`;
}

function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined ? "–" : value.toFixed(digits);
}

function summaryRow(
  label: string,
  votes: string,
  summary: MetricSummary,
  digits: number,
): string[] {
  const extreme = (point: MetricSummary["lowest"]) =>
    point === null ? "–" : `${fixed(point.value, digits)} (${point.week_start})`;
  return [
    label,
    votes,
    fixed(summary.mean, digits),
    fixed(summary.pooled, digits),
    fixed(summary.median, digits),
    extreme(summary.lowest),
    extreme(summary.highest),
    String(summary.weeks),
  ];
}

/** The headline: both definitions over full weeks, for all votes and up- and down-votes. */
export function renderAnswerSummary(answer: WeeklyAnswer): string {
  const note =
    answer.outOfWindow === null ? null : `note: ${describeOutOfWindow(answer.outOfWindow)}`;
  if (answer.series.length === 0) {
    return ["No votes or posts in the warehouse yet.", ...(note === null ? [] : [note])].join("\n");
  }
  const voted = "per voted post: votes / posts voted that week";
  const live = "per live post: votes / posts existing by week's end";
  return [
    ...(note === null ? [] : [note]),
    "What is the mean votes per post per week?",
    `Weeks ${String(answer.firstWeek)} to ${String(answer.lastWeek)}: ${answer.series.length} ISO weeks, ` +
      `${answer.fullWeeks} full; the ${answer.partialWeeks} partial week(s) at the edges of the data are left out of the summary.`,
    "",
    formatTable(
      [
        "definition",
        "votes",
        "mean of weekly ratios",
        "pooled ratio",
        "median",
        "lowest week",
        "highest week",
        "weeks",
      ],
      [
        summaryRow(voted, "all", answer.perVotedPost, 2),
        summaryRow(voted, "up and down", answer.upDown.perVotedPost, 2),
        summaryRow(live, "all", answer.perLivePost, 4),
        summaryRow(live, "up and down", answer.upDown.perLivePost, 4),
      ],
    ),
    "",
    ...answerNotes(answer).map((line) => `- ${line}`),
  ].join("\n");
}

/**
 * The weekly series as a table, with a bar and the rolling mean of each definition (the latest
 * `weeks`, or all when 0), counting `votes`. Bars share one linear scale per definition, set by
 * the full weeks shown; partial weeks are marked `*` and get no bar or rolling mean.
 */
export function renderWeeklySeries(
  answer: WeeklyAnswer,
  weeks: number,
  votes: VoteSet = "all",
): string {
  const shown = weeks > 0 ? answer.series.slice(-weeks) : answer.series;
  const { panels } = chartPanels(answer, votes);
  const definitions = DEFINITIONS[votes];
  const columns = panels.map((panel) => {
    const index = new Map(panel.weeks.map((week, at) => [week, at]));
    const shownValues = shown.map((week) => panel.values[index.get(week.week_start) ?? -1] ?? 0);
    const max = Math.max(...shownValues, 0);
    return (week: WeekPoint): (string | number)[] => {
      const at = index.get(week.week_start);
      const value = at === undefined ? null : (panel.values[at] ?? null);
      const rolling = at === undefined ? null : (panel.rolling[at] ?? null);
      return [bar(value, max), fixed(rolling, panel.digits)];
    };
  });
  const [votedBars, liveBars] = columns;
  const rows = shown.map((week: WeekPoint) => [
    week.week_start + (week.is_partial === 1 ? "*" : ""),
    definitions.perVotedPost.votes(week),
    definitions.perVotedPost.posts(week),
    fixed(ratio(definitions.perVotedPost, week), 2),
    ...(votedBars?.(week) ?? ["", ""]),
    week.posts_live,
    fixed(ratio(definitions.perLivePost, week), 4),
    ...(liveBars?.(week) ?? ["", ""]),
  ]);
  const counted = votes === "all" ? "all votes" : "up- and down-votes only";
  const title =
    shown.length === answer.series.length
      ? `All ${shown.length} weeks, ${counted} (* partial week; bars on a linear scale per definition):`
      : `Latest ${shown.length} of ${answer.series.length} weeks, ${counted} (* partial week; bars on a linear scale per definition; the whole series is the table weekly_votes_all_weeks):`;
  const rolling = `${ROLLING_WEEKS}-wk mean`;
  const [votesColumn, postsColumn] =
    votes === "all" ? ["votes", "posts_voted"] : ["updown votes", "updown_posts_voted"];
  return [
    title,
    formatTable(
      [
        "week_start",
        votesColumn,
        postsColumn,
        "per voted post",
        "",
        rolling,
        "posts_live",
        "per live post",
        "",
        rolling,
      ],
      rows,
    ),
  ].join("\n");
}

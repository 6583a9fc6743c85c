import { answerNotes } from "../analysis/answer-notes.js";
import { chartPanels, ROLLING_WEEKS } from "../analysis/chart-panels.js";
import { describeOutOfWindow } from "../analysis/weekly-calendar.js";
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

function summaryRow(label: string, summary: MetricSummary, digits: number): string[] {
  const extreme = (point: MetricSummary["lowest"]) =>
    point === null ? "–" : `${fixed(point.value, digits)} (${point.week_start})`;
  return [
    label,
    fixed(summary.mean, digits),
    fixed(summary.pooled, digits),
    fixed(summary.median, digits),
    extreme(summary.lowest),
    extreme(summary.highest),
    String(summary.weeks),
  ];
}

/** The headline: both definitions summarised over full weeks, and what they count. */
export function renderAnswerSummary(answer: WeeklyAnswer): string {
  const note =
    answer.outOfWindow === null ? null : `note: ${describeOutOfWindow(answer.outOfWindow)}`;
  if (answer.series.length === 0) {
    return ["No votes or posts in the warehouse yet.", ...(note === null ? [] : [note])].join("\n");
  }
  return [
    ...(note === null ? [] : [note]),
    "What is the mean votes per post per week?",
    `Weeks ${String(answer.firstWeek)} to ${String(answer.lastWeek)}: ${answer.series.length} ISO weeks, ` +
      `${answer.fullWeeks} full; the ${answer.partialWeeks} partial week(s) at the edges of the data are left out of the summary.`,
    "",
    formatTable(
      [
        "definition",
        "mean of weekly ratios",
        "pooled ratio",
        "median",
        "lowest week",
        "highest week",
        "weeks",
      ],
      [
        summaryRow("per voted post: votes / posts voted that week", answer.perVotedPost, 2),
        summaryRow("per live post: votes / posts existing by week's end", answer.perLivePost, 4),
      ],
    ),
    "",
    ...answerNotes(answer).map((line) => `- ${line}`),
  ].join("\n");
}

/**
 * The weekly series as a table, with a bar and the rolling mean of each definition (the latest
 * `weeks`, or all when 0). Bars share one linear scale per definition, set by the full weeks;
 * partial weeks are marked `*` and get no bar or rolling mean.
 */
export function renderWeeklySeries(answer: WeeklyAnswer, weeks: number): string {
  const shown = weeks > 0 ? answer.series.slice(-weeks) : answer.series;
  const { panels } = chartPanels(answer);
  const columns = panels.map((panel) => {
    const index = new Map(panel.weeks.map((week, at) => [week, at]));
    const max = Math.max(
      ...panel.values.filter((_, at) => shown.some((week) => week.week_start === panel.weeks[at])),
      0,
    );
    return (week: WeekPoint): (string | number)[] => {
      const at = index.get(week.week_start);
      const value = at === undefined ? null : (panel.values[at] ?? null);
      const rolling = at === undefined ? null : (panel.rolling[at] ?? null);
      return [bar(value, max), fixed(rolling, panel.digits)];
    };
  });
  const [voted, live] = columns;
  const rows = shown.map((week: WeekPoint) => [
    week.week_start + (week.is_partial === 1 ? "*" : ""),
    week.votes,
    week.posts_voted,
    fixed(week.mean_votes_per_post, 2),
    ...(voted?.(week) ?? ["", ""]),
    week.posts_live,
    fixed(week.mean_votes_per_live_post, 4),
    ...(live?.(week) ?? ["", ""]),
  ]);
  const title =
    shown.length === answer.series.length
      ? `All ${shown.length} weeks (* partial week; bars on a linear scale per definition):`
      : `Latest ${shown.length} of ${answer.series.length} weeks (* partial week; bars on a linear scale per definition; the whole series is the table weekly_votes_all_weeks):`;
  const rolling = `${ROLLING_WEEKS}-wk mean`;
  return [
    title,
    formatTable(
      [
        "week_start",
        "votes",
        "posts_voted",
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

import { DEFINITIONS, ratio, type VoteSet } from "./definitions.js";
import type { MetricSummary, WeeklyAnswer } from "./weekly-series.js";

/** Full weeks a rolling mean spans. */
export const ROLLING_WEEKS = 8;

/** One definition of the weekly answer, as a chart draws it: full weeks only, on its own axis. */
export interface ChartPanel {
  readonly title: string;
  /** The y axis's title. */
  readonly unit: string;
  /** Decimals its values are shown with. */
  readonly digits: number;
  /** The full weeks with a value (Monday, `YYYY-MM-DD`), oldest first. */
  readonly weeks: readonly string[];
  readonly values: readonly number[];
  /** The mean of the last {@link ROLLING_WEEKS} full weeks up to each week (fewer at the start). */
  readonly rolling: readonly number[];
  /** The summary's mean of weekly ratios, drawn as a level line. */
  readonly mean: number;
}

/** What a chart of the weekly answer shows, the same in the HTML report and the terminal. */
export interface ChartPanels {
  /** One panel per definition that has values; a definition with none gets no empty panel. */
  readonly panels: readonly ChartPanel[];
  /** The partial weeks at the edges of the data, left out of every panel. */
  readonly partialWeeks: readonly string[];
  /** Why a definition has no panel, for each one left out. */
  readonly missing: readonly string[];
  /** The votes the panels count. */
  readonly votes: VoteSet;
}

const PANELS = [
  {
    key: "perVotedPost",
    title: "Per voted post: votes / posts voted that week",
    unit: "per voted post",
    digits: 2,
    missing: "per voted post: no full week has votes",
  },
  {
    key: "perLivePost",
    title: "Per live post: votes / posts existing by the week's end",
    unit: "per live post",
    digits: 4,
    missing: "per live post: no posts in the warehouse, so there is nothing to divide by",
  },
] as const;

/**
 * The chart of the weekly answer: each definition on its own linear panel, over full weeks only,
 * with a rolling mean and the overall mean.
 *
 * @example
 * chartPanels(answer, "all").panels[0]?.rolling.at(-1); // the last 8 full weeks' mean
 */
export function chartPanels(answer: WeeklyAnswer, votes: VoteSet = "all"): ChartPanels {
  const full = answer.series.filter((week) => week.is_partial === 0);
  const panels: ChartPanel[] = [];
  const missing: string[] = [];
  for (const panel of PANELS) {
    const definition = DEFINITIONS[votes][panel.key];
    const summary: MetricSummary = (votes === "all" ? answer : answer.upDown)[panel.key];
    const points = full.flatMap((week) => {
      const value = ratio(definition, week);
      return value === null ? [] : [{ week: week.week_start, value }];
    });
    if (points.length === 0 || summary.mean === null) {
      missing.push(panel.missing);
      continue;
    }
    const values = points.map((point) => point.value);
    panels.push({
      title: votes === "all" ? panel.title : panel.title.replace("votes /", "up- and down-votes /"),
      unit: `${votes === "all" ? "votes" : "up- and down-votes"} ${panel.unit}`,
      digits: panel.digits,
      weeks: points.map((point) => point.week),
      values,
      rolling: rollingMean(values, ROLLING_WEEKS),
      mean: summary.mean,
    });
  }
  const partialWeeks = answer.series
    .filter((week) => week.is_partial === 1)
    .map((week) => week.week_start);
  return { panels, partialWeeks, missing, votes };
}

/** Each value's trailing mean over up to `span` values. */
function rollingMean(values: readonly number[], span: number): number[] {
  return values.map((_, index) => {
    const window = values.slice(Math.max(0, index - span + 1), index + 1);
    return window.reduce((sum, value) => sum + value, 0) / window.length;
  });
}

import type { MetricSummary, WeeklyAnswer } from "./weekly-series.js";

/** A mean of weekly ratios at this many times its median is lifted by a few weeks, and said to be. */
const SKEWED = 1.5;

/**
 * What the weekly answer's figures count, said precisely: which votes, which mean, why the
 * per-live-post numerator and denominator do not count quite the same posts, and when a mean of
 * weekly ratios is far from a typical week. The report, the
 * HTML page and the data dictionary say the same.
 *
 * @example
 * answerNotes(answer)[0]; // "Votes are every vote type: of the 6,000 votes, ..."
 */
export function answerNotes(answer: WeeklyAnswer): string[] {
  const full = answer.series.filter((week) => week.is_partial === 0);
  const sum = (of: (week: (typeof full)[number]) => number): number =>
    full.reduce((total, week) => total + of(week), 0);
  const votes = sum((week) => week.votes);
  const up = sum((week) => week.upvotes);
  const down = sum((week) => week.downvotes);
  // Grouped by hand: toLocaleString would load the locale data, a cost every run would pay.
  const count = (value: number): string => String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const share = votes === 0 ? 0 : (100 * (votes - up - down)) / votes;
  return [
    `Votes are every vote type: of the ${count(votes)} votes in the full weeks, ${count(up)} are up-votes and ${count(down)} down-votes; the other ${count(votes - up - down)} (${share.toFixed(1)}%: bookmarks, accepted answers, close, deletion and edit votes, ...) count too; the "up and down" rows count up- and down-votes alone.`,
    "The mean is the mean of the weekly ratios (every week weighs the same); the pooled ratio is all the weeks' votes over all their posts (busy weeks weigh more).",
    "Per live post counts every vote, including votes on posts the warehouse does not hold (the votes_orphaned check counts them), but divides by the posts it holds: such a post exists on the site, yet without it the week it was created is unknown.",
    ...skewNote("Per voted post", answer.perVotedPost, 2),
    ...skewNote("Per live post", answer.perLivePost, 4),
  ];
}

/**
 * A note when a definition's mean of weekly ratios stands far above its median: a few weeks
 * (the first ones, when few posts existed) lift it, and a reader quoting it would mislead.
 */
function skewNote(name: string, summary: MetricSummary, digits: number): string[] {
  const { mean, median, pooled, highest } = summary;
  if (mean === null || median === null || pooled === null || highest === null) return [];
  if (median === 0 && mean > 0) {
    return [
      `${name}, the median of weekly ratios is 0 (most full weeks have no votes), while the mean is ${mean.toFixed(digits)} and the pooled ratio ${pooled.toFixed(digits)}: quote the median with them.`,
    ];
  }
  if (median <= 0 || mean < SKEWED * median) return [];
  return [
    `${name}, the mean of weekly ratios (${mean.toFixed(digits)}) is ${(mean / median).toFixed(1)} times the median (${median.toFixed(digits)}): a few weeks lift it (the highest, ${highest.week_start}: ${highest.value.toFixed(digits)}); the median and the pooled ratio (${pooled.toFixed(digits)}) say more of a typical week.`,
  ];
}

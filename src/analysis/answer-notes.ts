import type { WeeklyAnswer } from "./weekly-series.js";

/**
 * What the weekly answer's figures count, said precisely: which votes, which mean, and why the
 * per-live-post numerator and denominator do not count quite the same posts. The report, the
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
  ];
}

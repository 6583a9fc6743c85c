import { describe, expect, it } from "vitest";
import { answerNotes } from "../../src/analysis/answer-notes.js";
import {
  weeklyCalendar,
  type PostWeek,
  type VoteWeek,
} from "../../src/analysis/weekly-calendar.js";
import { summarizeWeeks } from "../../src/analysis/weekly-series.js";
import { timeWindow } from "../../src/validate/parse-value.js";

const MONDAYS = [
  "2021-01-04",
  "2021-01-11",
  "2021-01-18",
  "2021-01-25",
  "2021-02-01",
  "2021-02-08",
];

/** Six full weeks: a first week with 1 post and 5 votes, then 10 new posts and 2 votes a week. */
function sixWeeks(): ReturnType<typeof answerNotes> {
  const votes: VoteWeek[] = MONDAYS.map((week, index) => ({
    week_start: week,
    votes: index === 0 ? 5 : 2,
    posts_voted: index === 0 ? 5 : 2,
    upvotes: index === 0 ? 5 : 2,
    downvotes: 0,
    updown_posts_voted: index === 0 ? 5 : 2,
    first_vote: `${week}T00:00:00.000`,
    last_vote: `${week}T00:00:00.000`,
  }));
  const posts: PostWeek[] = MONDAYS.map((week, index) => ({
    week_start: week,
    created: index === 0 ? 1 : 10,
    first_created: `${week}T09:00:00.000`,
    // The data reaches the Monday after the sixth week, so all six are full.
    last_activity: index === 5 ? "2021-02-15T08:00:00.000" : `${week}T10:00:00.000`,
  }));
  const answer = summarizeWeeks(weeklyCalendar(votes, posts, timeWindow(Date.parse("2026-01-01"))));
  expect(answer.fullWeeks).toBe(6);
  return answerNotes(answer);
}

describe("the notes under the weekly answer", () => {
  it("say when a mean of weekly ratios is lifted far above the median by a few weeks", () => {
    const skewed = sixWeeks().filter((note) => note.includes("times the median"));
    expect(skewed).toEqual([
      "Per live post, the mean of weekly ratios (0.9049) is 11.3 times the median (0.0799): a few weeks lift it (the highest, 2021-01-04: 5.0000); the median and the pooled ratio (0.0962) say more of a typical week.",
    ]);
  });

  it("say when most weeks have no votes, so the median is 0 and the mean is not typical", () => {
    const votes: VoteWeek[] = [
      {
        week_start: MONDAYS[0] ?? "",
        votes: 3,
        posts_voted: 1,
        upvotes: 3,
        downvotes: 0,
        updown_posts_voted: 1,
        first_vote: "2021-01-04T00:00:00.000",
        last_vote: "2021-01-04T00:00:00.000",
      },
    ];
    const posts: PostWeek[] = [
      {
        week_start: MONDAYS[0] ?? "",
        created: 1,
        first_created: "2021-01-04T09:00:00.000",
        last_activity: "2021-02-08T10:00:00.000",
      },
    ];
    const answer = summarizeWeeks(
      weeklyCalendar(votes, posts, timeWindow(Date.parse("2026-01-01"))),
    );
    expect(answer.fullWeeks).toBe(5);
    expect(answerNotes(answer).filter((note) => note.includes("median"))).toEqual([
      "Per live post, the median of weekly ratios is 0 (most full weeks have no votes), while the mean is 0.6000 and the pooled ratio 0.6000: quote the median with them.",
    ]);
  });
});

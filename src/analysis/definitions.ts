import type { WeekPoint } from "./weekly-series.js";

/** The counts of a week a definition reads. */
export type WeekCounts = Pick<
  WeekPoint,
  "votes" | "upvotes" | "downvotes" | "posts_voted" | "updown_posts_voted" | "posts_live"
>;

/** One way to read "votes per post": the votes a week counts, and the posts it divides by. */
export interface Definition {
  readonly votes: (week: WeekCounts) => number;
  readonly posts: (week: WeekCounts) => number;
}

/** Which votes a definition counts: every vote type, or up- and down-votes only. */
export type VoteSet = "all" | "updown";
export const VOTE_SETS: readonly VoteSet[] = ["all", "updown"];

const allVotes = (week: WeekCounts): number => week.votes;
const upDownVotes = (week: WeekCounts): number => week.upvotes + week.downvotes;

/** The two definitions of the weekly answer, for each set of votes. */
export const DEFINITIONS = {
  all: {
    perVotedPost: { votes: allVotes, posts: (week) => week.posts_voted },
    perLivePost: { votes: allVotes, posts: (week) => week.posts_live },
  },
  updown: {
    perVotedPost: { votes: upDownVotes, posts: (week) => week.updown_posts_voted },
    perLivePost: { votes: upDownVotes, posts: (week) => week.posts_live },
  },
} as const satisfies Record<VoteSet, Record<"perVotedPost" | "perLivePost", Definition>>;

/**
 * A week's ratio under a definition: null without posts to divide by (a week without votes has
 * no voted post; a warehouse without posts has no live one).
 *
 * @example
 * ratio(DEFINITIONS.all.perVotedPost, week); // week.votes / week.posts_voted
 */
export function ratio(definition: Definition, week: WeekCounts): number | null {
  const posts = definition.posts(week);
  return posts === 0 ? null : definition.votes(week) / posts;
}

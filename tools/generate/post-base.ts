import { type PostGraph, PostType, type PostTypeId } from "./post-graph.js";
import { hash32, Rng } from "./prng.js";
import {
  DAY_MS,
  firstSnapshotOf,
  postCreatedMs,
  type SnapshotPlan,
  snapshotTakenMs,
} from "./snapshot-plan.js";
import { Stream } from "./streams.js";
import { displayName, postTags } from "./text.js";
import { COMMUNITY_USER_ID, userIdAt } from "./users.js";

/** What never changes about a post once it exists. */
export interface PostBase {
  readonly id: number;
  readonly type: PostTypeId;
  readonly parentId: number | undefined;
  readonly createdMs: number;
  readonly firstSnapshot: number;
  readonly ownerUserId: string | undefined;
  readonly ownerDisplayName: string | undefined;
  readonly tags: string | undefined;
  readonly hasViewCount: boolean;
  readonly hasFavoriteCount: boolean;
  readonly emptyFirstBody: boolean;
  readonly closedMs: number | undefined;
  readonly communityOwnedMs: number | undefined;
  /** A question's answers, including ones delivered in later snapshots. */
  readonly answers: readonly number[];
  readonly acceptedAnswerId: number | undefined;
}

/** True for questions and answers, the posts people write, vote and comment on. */
export function isQuestionOrAnswer(type: PostTypeId): boolean {
  return type === PostType.question || type === PostType.answer;
}

function ownerOf(
  plan: SnapshotPlan,
  rng: Rng,
  type: PostTypeId,
  createdMs: number,
): { userId?: string; displayName?: string } {
  if (!isQuestionOrAnswer(type) && rng.chance(0.5)) {
    return { userId: COMMUNITY_USER_ID };
  }
  const u = rng.next();
  if (u < 0.005) {
    return { userId: COMMUNITY_USER_ID };
  }
  if (u < 0.045) {
    return { displayName: displayName(rng) };
  }
  return { userId: userIdAt(plan, createdMs, rng.next()) };
}

function soonAfter(rng: Rng, fromMs: number, beforeMs: number, meanDays: number): number {
  return fromMs + Math.min(beforeMs - fromMs - 1, Math.floor(rng.exponential(meanDays * DAY_MS)));
}

/**
 * The fixed attributes of post `id`, derived from its own hash so any post can be built alone.
 * Dates that are fixed at creation (closing, community ownership) fall before the end of the
 * snapshot that first delivers the post.
 *
 * @example
 * const base = postBaseOf(plan, new PostGraph(plan.key), 42);
 */
export function postBaseOf(plan: SnapshotPlan, graph: PostGraph, id: number): PostBase {
  const type = graph.typeOf(id);
  const rng = new Rng(hash32(plan.key, Stream.postBase, id, 0));
  const createdMs = postCreatedMs(plan, id);
  const firstSnapshot = firstSnapshotOf(plan.postIdsUpTo, id);
  const takenMs = snapshotTakenMs(plan, firstSnapshot);
  const owner = ownerOf(plan, rng, type, createdMs);
  const isQuestion = type === PostType.question;
  const isWiki = type === PostType.tagWiki || type === PostType.tagWikiExcerpt;
  const answers = isQuestion ? graph.answersOf(id) : [];
  let communityOwnedMs: number | undefined;
  if (isWiki ? rng.chance(0.8) : rng.chance(0.01)) {
    communityOwnedMs = isWiki ? createdMs : soonAfter(rng, createdMs, takenMs, 30);
  }
  return {
    id,
    type,
    parentId: graph.parentOf(id),
    createdMs,
    firstSnapshot,
    ownerUserId: owner.userId,
    ownerDisplayName: owner.displayName,
    tags: isQuestion ? postTags(rng) : undefined,
    hasViewCount: isQuestion && rng.chance(0.97),
    hasFavoriteCount: isQuestion && rng.chance(0.3),
    emptyFirstBody: isWiki && rng.chance(0.3),
    closedMs: isQuestion && rng.chance(0.05) ? soonAfter(rng, createdMs, takenMs, 3) : undefined,
    communityOwnedMs,
    answers,
    acceptedAnswerId: isQuestion ? graph.acceptedAnswerOf(id, answers) : undefined,
  };
}

import { isQuestionOrAnswer, type PostBase } from "./post-base.js";
import { PostType } from "./post-graph.js";
import { hash32, Rng, unit } from "./prng.js";
import { type Absences, isPresent } from "./record-churn.js";
import {
  DAY_MS,
  idsUpTo,
  postCreatedMs,
  type SnapshotPlan,
  snapshotTakenMs,
} from "./snapshot-plan.js";
import { Stream } from "./streams.js";
import { displayName } from "./text.js";
import { COMMUNITY_USER_ID, userIdAt } from "./users.js";

/** The latest edit of a post. */
export interface PostEdit {
  readonly ms: number;
  readonly editorUserId: string | undefined;
  readonly editorDisplayName: string | undefined;
}

/** What a post looks like in one snapshot: the parts that change between snapshots. */
export interface PostState {
  readonly score: number;
  readonly viewCount: number;
  readonly commentCount: number;
  readonly favoriteCount: number;
  /** The snapshot whose edit wrote the current body, 0 for the original body. */
  readonly bodyRound: number;
  /** The snapshot whose edit wrote the current title, 0 for the original title. */
  readonly titleRound: number;
  readonly lastEdit: PostEdit | undefined;
  readonly lastActivityMs: number;
  /** The snapshot that made this version: the post's first, or the latest that changed it. */
  readonly round: number;
}

/** When a post and its answers are missing from the snapshots, as `absencesOf` gives them. */
export interface PostHistory {
  readonly absences: Absences;
  /** One entry per answer in `PostBase.answers`, in the same order. */
  readonly answerAbsences: readonly Absences[];
}

/** Share of the posts already delivered that change in each new snapshot. */
const CHANGED_SHARE = 0.05;

function editAt(plan: SnapshotPlan, base: PostBase, rng: Rng, ms: number): PostEdit {
  if (rng.chance(0.04)) {
    return { ms, editorUserId: undefined, editorDisplayName: displayName(rng) };
  }
  let editorUserId: string;
  if (base.ownerUserId !== undefined && rng.chance(0.55)) {
    editorUserId = base.ownerUserId;
  } else {
    editorUserId = rng.chance(0.08) ? COMMUNITY_USER_ID : userIdAt(plan, ms, rng.next());
  }
  return { ms, editorUserId, editorDisplayName: rng.chance(0.6) ? "" : undefined };
}

function initialScore(rng: Rng): number {
  if (rng.chance(0.08)) {
    return -rng.int(1, 4);
  }
  return Math.floor(rng.exponential(3)) + (rng.chance(0.03) ? rng.int(10, 80) : 0);
}

/** Creation time of the newest answer delivered up to snapshot k, if any. */
function newestAnswerMs(plan: SnapshotPlan, base: PostBase, k: number): number | undefined {
  const delivered = base.answers.filter((answer) => answer <= idsUpTo(plan.postIdsUpTo, k));
  const newest = delivered.at(-1);
  return newest === undefined ? undefined : postCreatedMs(plan, newest);
}

function initialState(plan: SnapshotPlan, base: PostBase): PostState {
  const rng = new Rng(hash32(plan.key, Stream.postInitial, base.id, 0));
  const takenMs = snapshotTakenMs(plan, base.firstSnapshot);
  const written = isQuestionOrAnswer(base.type);
  let lastEdit: PostEdit | undefined;
  if (rng.chance(0.45)) {
    const delay = Math.floor(rng.exponential(2 * DAY_MS));
    lastEdit = editAt(plan, base, rng, Math.min(takenMs - 1, base.createdMs + delay));
  }
  const settledMs = Math.max(
    base.createdMs,
    lastEdit?.ms ?? 0,
    base.closedMs ?? 0,
    base.communityOwnedMs ?? 0,
    newestAnswerMs(plan, base, base.firstSnapshot) ?? 0,
  );
  return {
    score: written ? initialScore(rng) : 0,
    viewCount: base.hasViewCount ? 15 + Math.floor(Math.exp(rng.next() * 7.5)) : 0,
    commentCount: written ? Math.floor(rng.exponential(1.3)) : 0,
    favoriteCount: base.hasFavoriteCount ? Math.floor(rng.exponential(1.5)) : 0,
    bodyRound: 0,
    titleRound: 0,
    lastEdit,
    lastActivityMs: rng.chance(0.5)
      ? settledMs
      : settledMs + Math.floor(rng.next() ** 3 * (takenMs - settledMs)),
    round: base.firstSnapshot,
  };
}

function changedState(
  plan: SnapshotPlan,
  base: PostBase,
  previous: PostState,
  round: number,
): PostState {
  const rng = new Rng(hash32(plan.key, Stream.postRound, base.id, round));
  const fromMs = snapshotTakenMs(plan, round - 1);
  const toMs = snapshotTakenMs(plan, round);
  const written = isQuestionOrAnswer(base.type);
  const edited = rng.chance(0.3);
  const lastEdit = edited
    ? editAt(plan, base, rng, fromMs + Math.floor(rng.next() * (toMs - fromMs)))
    : previous.lastEdit;
  const answeredMs = base.firstSnapshot < round ? newestAnswerMs(plan, base, round) : undefined;
  const settledMs = Math.max(fromMs, edited ? (lastEdit?.ms ?? 0) : 0, answeredMs ?? 0);
  return {
    score: previous.score + (written ? rng.int(-1, 3) : 0),
    viewCount: previous.viewCount + (base.hasViewCount ? rng.int(1, 120) : 0),
    commentCount: previous.commentCount + (written && rng.chance(0.3) ? 1 : 0),
    favoriteCount: previous.favoriteCount + (base.hasFavoriteCount && rng.chance(0.15) ? 1 : 0),
    bodyRound: edited ? round : previous.bodyRound,
    titleRound:
      edited && base.type === PostType.question && rng.chance(0.4) ? round : previous.titleRound,
    lastEdit,
    lastActivityMs: settledMs + Math.floor(rng.next() ** 2 * (toMs - settledMs)),
    round,
  };
}

function answersMoveIn(
  plan: SnapshotPlan,
  base: PostBase,
  history: PostHistory,
  round: number,
): boolean {
  const before = idsUpTo(plan.postIdsUpTo, round - 1);
  const upTo = idsUpTo(plan.postIdsUpTo, round);
  return (
    base.answers.some((answer) => answer > before && answer <= upTo) ||
    history.answerAbsences.some((absences) =>
      absences.some((absence) => absence.from === round || absence.to === round),
    )
  );
}

/**
 * The post as of the plan's snapshot, replayed snapshot by snapshot from its first delivery. A post
 * delivered in both snapshot k-1 and k changes in k when its per-(id, snapshot) hash says so (about
 * 5%) or when one of its answers is first delivered, deleted or restored in k; a change always
 * moves LastActivityDate into that snapshot's window, so it is strictly newer than before. A post
 * does not change while deleted, so a restored post comes back as it was. Cost is linear in the
 * snapshot number, not in the data.
 *
 * @example
 * const state = postStateAt(plan, base, { absences: [], answerAbsences: [] });
 */
export function postStateAt(plan: SnapshotPlan, base: PostBase, history: PostHistory): PostState {
  let state = initialState(plan, base);
  for (let round = base.firstSnapshot + 1; round <= plan.snapshot; round++) {
    if (!isPresent(history.absences, round - 1) || !isPresent(history.absences, round)) {
      continue;
    }
    const changed = unit(hash32(plan.key, Stream.change, base.id, round)) < CHANGED_SHARE;
    if (changed || answersMoveIn(plan, base, history, round)) {
      state = changedState(plan, base, state, round);
    }
  }
  return state;
}

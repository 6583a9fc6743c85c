import { DUPLICATE_COPIES } from "./duplicate-post.js";
import type { FlatRecord } from "./layout.js";
import type { PostBase } from "./post-base.js";
import { PostGraph, PostType } from "./post-graph.js";
import { type PostAtSnapshot, PostLifecycle } from "./post-lifecycle.js";
import type { PostState } from "./post-state.js";
import { hash32, Rng } from "./prng.js";
import { isWritten } from "./record-churn.js";
import {
  type GeneratorOptions,
  idsUpTo,
  planSnapshots,
  type SnapshotPlan,
} from "./snapshot-plan.js";
import { Stream } from "./streams.js";
import { type BodyKind, postBody, postTitle } from "./text.js";
import { formatTimestamp } from "./timestamp.js";

const LICENSE_4_FROM_MS = Date.UTC(2018, 4, 2);

function bodyKindOf(base: PostBase): BodyKind {
  switch (base.type) {
    case PostType.question:
      return "question";
    case PostType.answer:
      return "answer";
    case PostType.tagWikiExcerpt:
      return "excerpt";
    default:
      return "wiki";
  }
}

function bodyOf(plan: SnapshotPlan, base: PostBase, state: PostState): string {
  if (base.emptyFirstBody && state.bodyRound === 0) {
    return "";
  }
  return postBody(
    new Rng(hash32(plan.key, Stream.body, base.id, state.bodyRound)),
    bodyKindOf(base),
  );
}

function titleOf(plan: SnapshotPlan, base: PostBase, state: PostState): string | undefined {
  if (base.type !== PostType.question) {
    return undefined;
  }
  return postTitle(new Rng(hash32(plan.key, Stream.title, base.id, state.titleRound)));
}

function timestampOrUndefined(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : formatTimestamp(ms);
}

function postRecordOf(
  plan: SnapshotPlan,
  { base, state, answerCount }: PostAtSnapshot,
): FlatRecord {
  const deliveredUpTo = idsUpTo(plan.postIdsUpTo, plan.snapshot);
  const isQuestion = base.type === PostType.question;
  const accepted =
    (base.acceptedAnswerId ?? Infinity) <= deliveredUpTo ? base.acceptedAnswerId : undefined;
  const revisedMs = state.lastEdit?.ms ?? base.createdMs;
  const fields: readonly (readonly [string, string | number | undefined])[] = [
    ["Id", base.id],
    ["PostTypeId", base.type],
    ["AcceptedAnswerId", accepted],
    ["ParentId", base.parentId],
    ["CreationDate", formatTimestamp(base.createdMs)],
    ["Score", state.score],
    ["ViewCount", base.hasViewCount ? state.viewCount : undefined],
    ["Body", bodyOf(plan, base, state)],
    ["OwnerUserId", base.ownerUserId],
    ["OwnerDisplayName", base.ownerDisplayName],
    ["LastEditorUserId", state.lastEdit?.editorUserId],
    ["LastEditorDisplayName", state.lastEdit?.editorDisplayName],
    ["LastEditDate", timestampOrUndefined(state.lastEdit?.ms)],
    ["LastActivityDate", formatTimestamp(state.lastActivityMs)],
    ["Title", titleOf(plan, base, state)],
    ["Tags", base.tags],
    ["AnswerCount", isQuestion ? answerCount : undefined],
    ["CommentCount", state.commentCount],
    ["FavoriteCount", base.hasFavoriteCount ? state.favoriteCount : undefined],
    ["ClosedDate", timestampOrUndefined(base.closedMs)],
    ["CommunityOwnedDate", timestampOrUndefined(base.communityOwnedMs)],
    ["ContentLIcense", revisedMs < LICENSE_4_FROM_MS ? "CC BY-SA 3.0" : "CC BY-SA 4.0"],
  ];
  const record: Record<string, string> = {};
  for (const [key, value] of fields) {
    if (value !== undefined) {
      record[key] = String(value);
    }
  }
  return record;
}

/**
 * The posts file of one snapshot, record by record in id order, without holding more than one post
 * in memory. Posts deleted before the dump are never written (votes still point at them), posts
 * deleted in a later snapshot are missing from then on unless restored (see `snapshotChanges`),
 * and one post is repeated {@link DUPLICATE_COPIES} times, as in the real delivery. Keys follow
 * the supplier's order, including its `ContentLIcense` spelling. With `delivery: "increment"`,
 * only the posts that are new, changed or restored in this snapshot are written.
 *
 * @example
 * for (const post of postRecords({ posts: 1000, votes: 4000, seed: 1 })) {
 *   console.log(post.Id, post.PostTypeId);
 * }
 * const delta = [...postRecords({ posts: 1000, votes: 4000, snapshot: 3, delivery: "increment" })];
 */
export function* postRecords(options: GeneratorOptions): Generator<FlatRecord> {
  const plan = planSnapshots(options);
  const lifecycle = new PostLifecycle(plan, new PostGraph(plan.key));
  const lastId = idsUpTo(plan.postIdsUpTo, plan.snapshot);
  for (let id = 1; id <= lastId; id++) {
    const post = lifecycle.postAt(id);
    if (post === undefined || !isWritten(post.status, plan.delivery)) {
      continue;
    }
    const record = postRecordOf(plan, post);
    const copies = id === lifecycle.duplicated ? DUPLICATE_COPIES : 1;
    for (let copy = 0; copy < copies; copy++) {
      yield record;
    }
  }
}

import type { FlatRecord } from "./layout.js";
import { PostGraph, PostType, type PostTypeId } from "./post-graph.js";
import { hash32, Rng, WeightedTable } from "./prng.js";
import { isWritten } from "./record-churn.js";
import {
  firstSnapshotOf,
  type GeneratorOptions,
  idsUpTo,
  lastPostIdByEndOfDay,
  planSnapshots,
  postIdsPerDays,
  SKIPPED_VOTE_ID_SHARE,
  type SnapshotPlan,
  voteDayMs,
} from "./snapshot-plan.js";
import { Stream } from "./streams.js";
import { formatTimestamp } from "./timestamp.js";
import { userIdAt } from "./users.js";
import { VoteLifecycle } from "./vote-lifecycle.js";

/** VoteTypeId mix of the real DevOps site (counts out of 40,299 votes); 6 and 7 never occur. */
const VOTE_TYPES = new WeightedTable([
  [1, 1910],
  [2, 29839],
  [3, 3022],
  [4, 1],
  [5, 2503],
  [8, 73],
  [9, 73],
  [10, 1087],
  [11, 48],
  [12, 52],
  [15, 434],
  [16, 1257],
]);

const BOUNTY_AMOUNTS = new WeightedTable([
  ["25", 3],
  ["50", 60],
  ["100", 12],
  ["250", 2],
]);

const UP_MOD = 2;
const RECENT_SHARE = 0.6;
const RECENT_MEAN_DAYS = 20;
const MAX_SEARCH = 64;
const MAX_QUESTIONS_TRIED = 8;

function nearestOfType(graph: PostGraph, fromId: number, type: PostTypeId): number | undefined {
  for (let id = fromId; id >= 1 && id > fromId - MAX_SEARCH; id--) {
    if (graph.typeOf(id) === type) {
      return id;
    }
  }
  return undefined;
}

/** An accepted answer near `fromId`, created no later than `latestId`, for AcceptedByOriginator. */
function acceptedAnswerNear(
  graph: PostGraph,
  fromId: number,
  latestId: number,
): number | undefined {
  let tried = 0;
  for (let id = fromId; id >= 1 && id > fromId - MAX_SEARCH && tried < MAX_QUESTIONS_TRIED; id--) {
    const question = graph.parentOf(id);
    if (question !== undefined) {
      tried++;
      const accepted = graph.acceptedAnswerOf(question);
      if (accepted !== undefined && accepted <= latestId) {
        return accepted;
      }
    }
  }
  return nearestOfType(graph, fromId, PostType.answer);
}

/** The post a vote of this type goes to, or undefined when no fitting post exists yet. */
function votedPostId(
  graph: PostGraph,
  voteType: number,
  nearId: number,
  latestId: number,
): number | undefined {
  switch (voteType) {
    case 1:
      return acceptedAnswerNear(graph, nearId, latestId);
    case 5:
    case 8:
      return nearestOfType(graph, nearId, PostType.question);
    case 9:
      return nearestOfType(graph, nearId, PostType.answer);
    default:
      return nearId;
  }
}

/**
 * Vote `id` as every snapshot that holds it delivers it, or undefined for an id never delivered.
 *
 * @example
 * voteAt(plan, new PostGraph(plan.key), 17)?.VoteTypeId; // "2"
 */
export function voteAt(plan: SnapshotPlan, graph: PostGraph, id: number): FlatRecord | undefined {
  const rng = new Rng(hash32(plan.key, Stream.vote, id, 0));
  if (rng.chance(SKIPPED_VOTE_ID_SHARE)) {
    return undefined;
  }
  const dayMs = voteDayMs(plan, id, rng.next());
  const drawnType = VOTE_TYPES.pick(rng.next());
  const deliveredPosts = idsUpTo(plan.postIdsUpTo, firstSnapshotOf(plan.voteIdsUpTo, id));
  const latestId = Math.min(deliveredPosts, lastPostIdByEndOfDay(plan, dayMs));
  const nearId = rng.chance(RECENT_SHARE)
    ? Math.max(1, latestId - Math.floor(rng.exponential(postIdsPerDays(plan, RECENT_MEAN_DAYS))))
    : rng.int(1, latestId);
  const fittingPostId = votedPostId(graph, drawnType, nearId, latestId);
  const voteType = fittingPostId === undefined ? UP_MOD : drawnType;
  const userId = voteType === 5 || voteType === 8 ? userIdAt(plan, dayMs, rng.next()) : undefined;
  const hasBounty = voteType === 8 || (voteType === 9 && rng.chance(0.6));
  const record: Record<string, string> = { Id: String(id) };
  if (userId !== undefined) {
    record.UserId = userId;
  }
  record.PostId = String(fittingPostId ?? nearId);
  record.VoteTypeId = String(voteType);
  if (hasBounty) {
    record.BountyAmount = BOUNTY_AMOUNTS.pick(rng.next());
  }
  record.CreationDate = formatTimestamp(dayMs);
  return record;
}

/**
 * The votes file of one snapshot, record by record in id order, holding nothing in memory. Ids
 * rise with the (midnight) vote date and about 18% of ids are never delivered; a vote's post was
 * created on or before the vote's day. Keys follow the real file's order: Id, UserId (only on
 * types 5 and 8), PostId, VoteTypeId, BountyAmount (only on types 8 and 9), CreationDate. Votes
 * retracted in a later snapshot are missing from then on unless restored (see `snapshotChanges`).
 * With `delivery: "increment"`, only the votes new or restored in this snapshot are written.
 *
 * @example
 * for (const vote of voteRecords({ posts: 1000, votes: 4000, seed: 1 })) {
 *   console.log(vote.PostId, vote.VoteTypeId);
 * }
 * const delta = [...voteRecords({ posts: 1000, votes: 4000, snapshot: 3, delivery: "increment" })];
 */
export function* voteRecords(options: GeneratorOptions): Generator<FlatRecord> {
  const plan = planSnapshots(options);
  const graph = new PostGraph(plan.key);
  const lifecycle = new VoteLifecycle(plan, (id) => voteAt(plan, graph, id));
  const lastId = idsUpTo(plan.voteIdsUpTo, plan.snapshot);
  for (let id = 1; id <= lastId; id++) {
    const vote = voteAt(plan, graph, id);
    if (vote !== undefined && isWritten(lifecycle.statusOf(vote), plan.delivery)) {
      yield vote;
    }
  }
}

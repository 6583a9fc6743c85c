import { hash32, seedKey, unit } from "./prng.js";
import { Stream } from "./streams.js";

/** Options that decide the content of a generated delivery. */
export interface GeneratorOptions {
  /** Post ids in snapshot 1, counted before deleted posts are dropped and before the duplicate. */
  readonly posts: number;
  /** Votes in snapshot 1 (approximately: vote ids have gaps). */
  readonly votes: number;
  /** Any safe integer; the same seed always gives the same bytes. Default 1. */
  readonly seed?: number;
  /** Which snapshot to produce, 1 for the first delivery. Default 1. */
  readonly snapshot?: number;
  /**
   * `"snapshot"` (default): every record of the snapshot. `"increment"`: only what snapshot k adds
   * to snapshot k-1 (new records, changed posts at their new version, restored records), no
   * deletions; for snapshot 1 that is all of it.
   */
  readonly delivery?: Delivery;
}

/** What a generated delivery holds: the full snapshot, or only its changes since the previous one. */
export type Delivery = "snapshot" | "increment";

/** Everything derived once from the options, shared by the post and vote producers. */
export interface SnapshotPlan {
  readonly key: number;
  readonly snapshot: number;
  readonly delivery: Delivery;
  /** Post ids in snapshot 1, the unit of the timeline. */
  readonly basePosts: number;
  /** Entry k-1 is the highest post id of snapshot k. */
  readonly postIdsUpTo: readonly number[];
  /** Entry k-1 is the highest vote id (slot) of snapshot k. */
  readonly voteIdsUpTo: readonly number[];
  readonly startMs: number;
  readonly msPerPost: number;
  readonly msPerVoteId: number;
}

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;
const START_MS = Date.UTC(2017, 1, 28);
const FIRST_SNAPSHOT_SPAN_MS = 1650 * DAY_MS;
const GROWTH_PER_SNAPSHOT = 0.1;
/** Share of vote ids the supplier never delivers (about 18% on the real site). */
export const SKIPPED_VOTE_ID_SHARE = 0.18;
const MAX_POSTS = 1e9;
const MAX_SNAPSHOT = 1000;
const DELIVERIES: readonly string[] = ["snapshot", "increment"] satisfies Delivery[];

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

function growingCounts(first: number, snapshots: number): readonly number[] {
  const counts = [first];
  let current = first;
  for (let k = 2; k <= snapshots; k++) {
    current += Math.max(1, Math.round(current * GROWTH_PER_SNAPSHOT));
    counts.push(current);
  }
  return counts;
}

/**
 * Validates the options and derives the id ranges of every snapshot up to the requested one. Each
 * snapshot adds about 10% new post ids and vote ids to the previous one, continuing the timeline.
 *
 * @example
 * const plan = planSnapshots({ posts: 1000, votes: 4000, seed: 1, snapshot: 2 });
 * plan.postIdsUpTo; // [1000, 1100]
 */
export function planSnapshots(options: GeneratorOptions): SnapshotPlan {
  const seed = options.seed ?? 1;
  const snapshot = options.snapshot ?? 1;
  requireInteger("posts", options.posts, 1, MAX_POSTS);
  requireInteger("votes", options.votes, 0, MAX_POSTS * 100);
  requireInteger("seed", seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  requireInteger("snapshot", snapshot, 1, MAX_SNAPSHOT);
  const delivery = options.delivery ?? "snapshot";
  if (!DELIVERIES.includes(delivery)) {
    throw new RangeError(
      `delivery must be "snapshot" or "increment", got ${JSON.stringify(delivery)}`,
    );
  }
  const voteIds = Math.round(options.votes / (1 - SKIPPED_VOTE_ID_SHARE));
  return {
    key: seedKey(seed),
    snapshot,
    delivery,
    basePosts: options.posts,
    postIdsUpTo: growingCounts(options.posts, snapshot),
    voteIdsUpTo:
      voteIds === 0 ? new Array<number>(snapshot).fill(0) : growingCounts(voteIds, snapshot),
    startMs: START_MS,
    msPerPost: FIRST_SNAPSHOT_SPAN_MS / options.posts,
    msPerVoteId: voteIds === 0 ? 0 : FIRST_SNAPSHOT_SPAN_MS / voteIds,
  };
}

/**
 * The highest id of snapshot k in a list from {@link SnapshotPlan}; 0 for k = 0.
 *
 * @example
 * idsUpTo(plan.postIdsUpTo, plan.snapshot);
 */
export function idsUpTo(counts: readonly number[], k: number): number {
  return k <= 0 ? 0 : (counts[Math.min(k, counts.length) - 1] ?? 0);
}

/**
 * The first snapshot that contains `id`, or Infinity when no planned snapshot does.
 *
 * @example
 * firstSnapshotOf([1000, 1100], 1050); // 2
 */
export function firstSnapshotOf(counts: readonly number[], id: number): number {
  const index = counts.findIndex((count) => id <= count);
  return index === -1 ? Infinity : index + 1;
}

/**
 * When post `id` was created: linear in id, jittered inside the id's own time slot, so creation
 * times increase with id. Post 1 always falls on the first day, so the first day's votes have a
 * post to point at.
 *
 * @example
 * postCreatedMs(plan, 1); // during 2017-02-28
 */
export function postCreatedMs(plan: SnapshotPlan, id: number): number {
  const u = unit(hash32(plan.key, Stream.postShape, id, 2));
  const offset = id === 1 ? u * Math.min(plan.msPerPost, DAY_MS) : (id - 1 + u) * plan.msPerPost;
  return plan.startMs + Math.floor(offset);
}

/**
 * The instant snapshot k was taken: later than every creation, edit or activity it contains, and
 * not later than any change made in snapshot k+1, so a change is always strictly newer.
 *
 * @example
 * snapshotTakenMs(plan, 1);
 */
export function snapshotTakenMs(plan: SnapshotPlan, k: number): number {
  if (k <= 0) {
    return plan.startMs;
  }
  return plan.startMs + Math.floor(idsUpTo(plan.postIdsUpTo, k) * plan.msPerPost) + 1;
}

/**
 * The day (UTC midnight) of vote `id`, jittered by `u` in [0, 1); non-decreasing in id.
 *
 * @example
 * voteDayMs(plan, 17, 0.3);
 */
export function voteDayMs(plan: SnapshotPlan, id: number, u: number): number {
  const at = plan.startMs + Math.floor((id - 1 + u) * plan.msPerVoteId);
  return at - (at % DAY_MS);
}

/**
 * The highest post id certainly created by the end of the day that starts at `dayMs` (at least 1).
 *
 * @example
 * lastPostIdByEndOfDay(plan, plan.startMs); // >= 1
 */
export function lastPostIdByEndOfDay(plan: SnapshotPlan, dayMs: number): number {
  return Math.max(1, Math.floor((dayMs + DAY_MS - plan.startMs) / plan.msPerPost));
}

/**
 * How many post ids fall into `days` days of the timeline (at least 1).
 *
 * @example
 * postIdsPerDays(plan, 30);
 */
export function postIdsPerDays(plan: SnapshotPlan, days: number): number {
  return Math.max(1, Math.round((days * DAY_MS) / plan.msPerPost));
}

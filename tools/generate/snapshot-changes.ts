import { PostGraph } from "./post-graph.js";
import { PostLifecycle } from "./post-lifecycle.js";
import type { RecordStatus } from "./record-churn.js";
import { type GeneratorOptions, idsUpTo, planSnapshots } from "./snapshot-plan.js";
import { VoteLifecycle } from "./vote-lifecycle.js";
import { voteAt } from "./vote-records.js";

/** The ids (ascending) of one file's records that a snapshot adds, changes, deletes or restores. */
export interface RecordChanges {
  /** First delivered in this snapshot. */
  readonly added: readonly number[];
  /** In the previous snapshot and this one, at a new version (posts only: votes never change). */
  readonly changed: readonly number[];
  /** In the previous snapshot, missing from this one. */
  readonly deleted: readonly number[];
  /** Delivered before, missing from the previous snapshot, back in this one as it was. */
  readonly restored: readonly number[];
}

/** What snapshot k changes since snapshot k-1, in the posts file and in the votes file. */
export interface SnapshotChanges {
  readonly posts: RecordChanges;
  readonly votes: RecordChanges;
}

type Collected = Record<keyof RecordChanges, number[]>;

function collector(): { changes: Collected; note: (id: number, status: RecordStatus) => void } {
  const changes: Collected = { added: [], changed: [], deleted: [], restored: [] };
  return {
    changes,
    note: (id, status) => {
      if (status !== "unchanged" && status !== "absent") {
        changes[status].push(id);
      }
    },
  };
}

/**
 * The truth about a generated snapshot: which post and vote ids it adds, changes, deletes and
 * restores compared with the previous snapshot of the same seed and sizes (for snapshot 1 every
 * record is added). The full snapshot k is exactly snapshot k-1 minus `deleted`, plus `restored`
 * and `added`, with `changed` posts at their new version; the increment of snapshot k holds exactly
 * the `added`, `changed` and `restored` records. Ids are numbers, as in the warehouse; the
 * delivered records carry them as strings. Records come back two snapshots after they were
 * deleted, and on a site of at least 100 post ids and 100 vote ids every snapshot from 2 on deletes
 * at least one post and one vote that snapshot k+2 restores. Takes about as long as generating the
 * snapshot.
 *
 * @example
 * const site = { posts: 200, votes: 800, seed: 7 };
 * const back = snapshotChanges({ ...site, snapshot: 4 });
 * const [postId, voteId] = [back.posts.restored[0], back.votes.restored[0]]; // both defined
 * const dropped = snapshotChanges({ ...site, snapshot: 2 });
 * dropped.posts.deleted.includes(postId); // true: in snapshot 1, missing from 2 and 3, back in 4
 * dropped.votes.deleted.includes(voteId); // true
 */
export function snapshotChanges(options: GeneratorOptions): SnapshotChanges {
  const plan = planSnapshots(options);
  const graph = new PostGraph(plan.key);
  const posts = collector();
  const postLifecycle = new PostLifecycle(plan, graph);
  const lastPostId = idsUpTo(plan.postIdsUpTo, plan.snapshot);
  for (let id = 1; id <= lastPostId; id++) {
    const post = postLifecycle.postAt(id);
    if (post !== undefined) {
      posts.note(id, post.status);
    }
  }
  const votes = collector();
  const voteLifecycle = new VoteLifecycle(plan, (id) => voteAt(plan, graph, id));
  const lastVoteId = idsUpTo(plan.voteIdsUpTo, plan.snapshot);
  for (let id = 1; id <= lastVoteId; id++) {
    const vote = voteAt(plan, graph, id);
    if (vote !== undefined) {
      votes.note(id, voteLifecycle.statusOf(vote));
    }
  }
  return { posts: posts.changes, votes: votes.changes };
}

import type { PostGraph } from "./post-graph.js";
import { hash32 } from "./prng.js";
import { idsUpTo, type SnapshotPlan } from "./snapshot-plan.js";
import { Stream } from "./streams.js";

/** How many identical copies of one post every posts file holds, as in the real delivery. */
export const DUPLICATE_COPIES = 40;

/**
 * The post written {@link DUPLICATE_COPIES} times: a delivered post of snapshot 1 picked by the
 * seed, never deleted, so every later snapshot repeats the same one. Undefined only when snapshot 1
 * has no delivered post at all.
 *
 * @example
 * const duplicated = duplicatedPostId(plan, new PostGraph(plan.key));
 */
export function duplicatedPostId(plan: SnapshotPlan, graph: PostGraph): number | undefined {
  const firstIds = idsUpTo(plan.postIdsUpTo, 1);
  const start = hash32(plan.key, Stream.duplicate, 0, 0) % firstIds;
  for (let step = 0; step < firstIds; step++) {
    const id = 1 + ((start + step) % firstIds);
    if (!graph.isDeleted(id)) {
      return id;
    }
  }
  return undefined;
}

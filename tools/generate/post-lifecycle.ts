import { duplicatedPostId } from "./duplicate-post.js";
import { type PostBase, postBaseOf } from "./post-base.js";
import { type PostGraph, PostType } from "./post-graph.js";
import { type PostHistory, type PostState, postStateAt } from "./post-state.js";
import {
  type Absences,
  absencesOf,
  type ChurnRule,
  DesignatedIds,
  isPresent,
  type RecordStatus,
  statusAt,
} from "./record-churn.js";
import { firstSnapshotOf, idsUpTo, type SnapshotPlan } from "./snapshot-plan.js";
import { Stream } from "./streams.js";

/** Per-snapshot chance that a deletable post is deleted; a bit over half are deletable, so ~1%. */
const DELETED_SHARE = 0.018;
const DESIGNATED_KIND = 0;

/** One post as the plan's snapshot sees it. */
export interface PostAtSnapshot {
  readonly base: PostBase;
  readonly state: PostState;
  readonly status: RecordStatus;
  /** The question's answers delivered and not deleted in this snapshot. */
  readonly answerCount: number;
}

/**
 * Which posts each snapshot deletes and restores, and each post's version. From snapshot 2 on,
 * about 1% of the posts still present are deleted: unanswered questions and answers that are not
 * accepted (so no answer loses its question and no AcceptedAnswerId points at a missing post),
 * never the duplicated post. Deleting or restoring an answer changes its question's AnswerCount,
 * so the question gets a new version in that snapshot.
 *
 * @example
 * const lifecycle = new PostLifecycle(plan, new PostGraph(plan.key));
 * lifecycle.postAt(42)?.status; // "unchanged", "deleted", ...
 */
export class PostLifecycle {
  readonly duplicated: number | undefined;
  private readonly designated: DesignatedIds;
  private readonly rule: ChurnRule;

  constructor(
    private readonly plan: SnapshotPlan,
    private readonly graph: PostGraph,
  ) {
    this.duplicated = duplicatedPostId(plan, graph);
    this.designated = new DesignatedIds(
      plan.key,
      DESIGNATED_KIND,
      (k) => idsUpTo(plan.postIdsUpTo, k),
      (id, round) => this.deletable(id) && isPresent(this.absencesOf(id, round - 1), round - 1),
    );
    this.rule = {
      key: plan.key,
      deletionStream: Stream.postDeletion,
      restoreStream: Stream.postRestore,
      designatedIn: (round) => this.designated.in(round),
    };
  }

  /** When post `id` is missing from snapshots up to `upTo` (default: the plan's snapshot). */
  absencesOf(id: number, upTo = this.plan.snapshot): Absences {
    const first = firstSnapshotOf(this.plan.postIdsUpTo, id);
    return absencesOf(this.rule, id, first, upTo, (u) => u < DELETED_SHARE && this.deletable(id));
  }

  /** Post `id` in the plan's snapshot; undefined when it is not delivered by then or ever. */
  postAt(id: number): PostAtSnapshot | undefined {
    const k = this.plan.snapshot;
    const delivered = idsUpTo(this.plan.postIdsUpTo, k);
    if (id > delivered || this.graph.isDeleted(id)) {
      return undefined;
    }
    const base = postBaseOf(this.plan, this.graph, id);
    const history: PostHistory = {
      absences: this.absencesOf(id),
      answerAbsences: base.answers.map((answer) => this.absencesOf(answer)),
    };
    const state = postStateAt(this.plan, base, history);
    const answerCount = base.answers.filter(
      (answer, i) => answer <= delivered && isPresent(history.answerAbsences[i] ?? [], k),
    ).length;
    return {
      base,
      state,
      status: statusAt(history.absences, base.firstSnapshot, k, state.round === k),
      answerCount,
    };
  }

  private deletable(id: number): boolean {
    if (id === this.duplicated || this.graph.isDeleted(id)) {
      return false;
    }
    const type = this.graph.typeOf(id);
    if (type === PostType.question) {
      return this.graph.answersOf(id).length === 0;
    }
    const question = this.graph.parentOf(id);
    return (
      type === PostType.answer &&
      question !== undefined &&
      this.graph.acceptedAnswerOf(question) !== id
    );
  }
}

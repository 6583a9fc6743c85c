import type { FlatRecord } from "./layout.js";
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

/**
 * Per-snapshot chance that a vote still present is retracted, by VoteTypeId: up and down votes
 * (about 82% of votes) and favorites; about 1% of all votes.
 */
const RETRACTED_SHARE: Readonly<Partial<Record<string, number>>> = {
  "2": 0.012,
  "3": 0.012,
  "5": 0.008,
};
const DESIGNATED_TYPES: readonly string[] = ["2", "3"];
const DESIGNATED_KIND = 1;

/**
 * Which votes each snapshot retracts and restores. From snapshot 2 on, about 1% of the votes still
 * present are retracted, mostly UpMod (2) and DownMod (3), a few Favorite (5); other types never.
 * Votes never change, so a restored vote comes back byte for byte.
 *
 * @example
 * const lifecycle = new VoteLifecycle(plan, (id) => voteAt(plan, graph, id));
 * lifecycle.statusOf(vote); // "unchanged", "deleted", ...
 */
export class VoteLifecycle {
  private readonly designated: DesignatedIds;
  private readonly rule: ChurnRule;

  /** `voteAt` gives the vote of an id, or undefined for the ids never delivered. */
  constructor(
    private readonly plan: SnapshotPlan,
    voteAt: (id: number) => FlatRecord | undefined,
  ) {
    this.designated = new DesignatedIds(
      plan.key,
      DESIGNATED_KIND,
      (k) => idsUpTo(plan.voteIdsUpTo, k),
      (id, round) => {
        const vote = voteAt(id);
        return (
          vote !== undefined &&
          DESIGNATED_TYPES.includes(vote.VoteTypeId ?? "") &&
          isPresent(this.absencesOf(vote, round - 1), round - 1)
        );
      },
    );
    this.rule = {
      key: plan.key,
      deletionStream: Stream.voteDeletion,
      restoreStream: Stream.voteRestore,
      designatedIn: (round) => this.designated.in(round),
    };
  }

  /** When `vote` is missing from snapshots up to `upTo` (default: the plan's snapshot). */
  absencesOf(vote: FlatRecord, upTo = this.plan.snapshot): Absences {
    const id = Number(vote.Id);
    const share = RETRACTED_SHARE[vote.VoteTypeId ?? ""] ?? 0;
    const first = firstSnapshotOf(this.plan.voteIdsUpTo, id);
    return absencesOf(this.rule, id, first, upTo, (u) => u < share);
  }

  /** What the plan's snapshot does to `vote`, a vote delivered by then. */
  statusOf(vote: FlatRecord): RecordStatus {
    const first = firstSnapshotOf(this.plan.voteIdsUpTo, Number(vote.Id));
    return statusAt(this.absencesOf(vote), first, this.plan.snapshot, false);
  }
}

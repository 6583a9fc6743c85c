import { hash32, unit } from "./prng.js";
import type { Delivery } from "./snapshot-plan.js";
import { Stream } from "./streams.js";

/** Snapshots in which a once-delivered record is missing: deleted in `from`, back in `to`. */
export interface Absence {
  readonly from: number;
  /** The snapshot that restores the record, Infinity when none does (up to the one asked for). */
  readonly to: number;
}

/** A record's absences in snapshot order; empty for the great majority of records. */
export type Absences = readonly Absence[];

/** What a snapshot does to one record that has been delivered by then. */
export type RecordStatus = "added" | "unchanged" | "changed" | "deleted" | "restored" | "absent";

/** A deleted record can come back this many snapshots after the one that deleted it. */
export const RESTORE_AFTER = 2;
/** Share of deleted records that come back {@link RESTORE_AFTER} snapshots later. */
export const RESTORED_SHARE = 0.2;
/** Below this many ids in the previous snapshot no record is deleted for sure, only by chance. */
const MIN_IDS_FOR_DESIGNATED = 100;
const MAX_DESIGNATED_SEARCH = 10_000;
const NONE: Absences = [];

/** How one kind of record (posts or votes) is deleted and restored. */
export interface ChurnRule {
  readonly key: number;
  readonly deletionStream: number;
  readonly restoreStream: number;
  /** The record deleted for sure in snapshot `round`, whatever chance says, if any. */
  designatedIn(round: number): number | undefined;
}

/**
 * When record `id` is missing from snapshots `firstSnapshot`..`upTo`. From the snapshot after its
 * first, a present record is deleted when `deletedByChance` accepts its per-(id, snapshot) uniform
 * draw or when it is the rule's designated record; a deleted record comes back
 * {@link RESTORE_AFTER} snapshots later for {@link RESTORED_SHARE} of records and always for a
 * designated one, and otherwise stays deleted.
 *
 * @example
 * const absences = absencesOf(rule, 42, 1, plan.snapshot, (u) => u < 0.01);
 * isPresent(absences, plan.snapshot);
 */
export function absencesOf(
  rule: ChurnRule,
  id: number,
  firstSnapshot: number,
  upTo: number,
  deletedByChance: (u: number) => boolean,
): Absences {
  let absences: Absence[] | undefined;
  let deletedIn: number | undefined;
  for (let round = firstSnapshot + 1; round <= upTo; round++) {
    if (deletedIn === undefined) {
      const u = unit(hash32(rule.key, rule.deletionStream, id, round));
      if (rule.designatedIn(round) === id || deletedByChance(u)) {
        deletedIn = round;
      }
    } else if (round === deletedIn + RESTORE_AFTER) {
      const u = unit(hash32(rule.key, rule.restoreStream, id, deletedIn));
      if (rule.designatedIn(deletedIn) !== id && u >= RESTORED_SHARE) {
        break;
      }
      (absences ??= []).push({ from: deletedIn, to: round });
      deletedIn = undefined;
    }
  }
  if (deletedIn !== undefined) {
    (absences ??= []).push({ from: deletedIn, to: Infinity });
  }
  return absences ?? NONE;
}

/**
 * True when a record with these absences is delivered in snapshot `k` (once it exists).
 *
 * @example
 * isPresent([{ from: 2, to: 4 }], 3); // false
 */
export function isPresent(absences: Absences, k: number): boolean {
  return !absences.some((absence) => k >= absence.from && k < absence.to);
}

/**
 * What snapshot `k` does to a record first delivered in `firstSnapshot` (at most `k`).
 * `changedInK` says whether a record present in both k-1 and k has a new version in k.
 *
 * @example
 * statusAt([{ from: 2, to: 4 }], 1, 4, false); // "restored"
 */
export function statusAt(
  absences: Absences,
  firstSnapshot: number,
  k: number,
  changedInK: boolean,
): RecordStatus {
  if (firstSnapshot === k) {
    return "added";
  }
  const now = isPresent(absences, k);
  const before = isPresent(absences, k - 1);
  if (now && before) {
    return changedInK ? "changed" : "unchanged";
  }
  if (now) {
    return "restored";
  }
  return before ? "deleted" : "absent";
}

/**
 * True when a record with this status is written to a delivery of that kind: a full snapshot
 * writes every present record, an increment only the added, changed and restored ones.
 *
 * @example
 * isWritten("unchanged", "increment"); // false
 */
export function isWritten(status: RecordStatus, delivery: Delivery): boolean {
  switch (status) {
    case "added":
    case "changed":
    case "restored":
      return true;
    case "unchanged":
      return delivery === "snapshot";
    default:
      return false;
  }
}

/**
 * Picks, for each snapshot from 2 on, the one record deleted for sure, so every snapshot of a
 * site of at least 100 ids deletes something: the first id from a seeded position (wrapping
 * around) among the previous snapshot's ids that `qualifies` (deletable and present then). Picks
 * are made in snapshot order and remembered, since a pick depends on the earlier ones.
 *
 * @example
 * const designated = new DesignatedIds(key, 0, (k) => idsUpTo(plan.postIdsUpTo, k), qualifies);
 * designated.in(2); // a post id, or undefined
 */
export class DesignatedIds {
  private readonly picks: (number | undefined)[] = [undefined, undefined];

  constructor(
    private readonly key: number,
    private readonly kind: number,
    private readonly idsUpTo: (k: number) => number,
    private readonly qualifies: (id: number, round: number) => boolean,
  ) {}

  /** The record deleted for sure in snapshot `round`, if any. */
  in(round: number): number | undefined {
    while (this.picks.length <= round) {
      this.picks.push(this.pick(this.picks.length));
    }
    return this.picks[round];
  }

  private pick(round: number): number | undefined {
    const ids = this.idsUpTo(round - 1);
    if (ids < MIN_IDS_FOR_DESIGNATED) {
      return undefined;
    }
    const start = hash32(this.key, Stream.designated, this.kind, round) % ids;
    for (let step = 0; step < Math.min(ids, MAX_DESIGNATED_SEARCH); step++) {
      const id = 1 + ((start + step) % ids);
      if (this.qualifies(id, round)) {
        return id;
      }
    }
    return undefined;
  }
}

import type { Row } from "../model/field.js";
import { columnIndex, type DeliveryKind } from "../model/kinds.js";

/** A stored record as a merge sees it: its values in field order, the load that wrote them, and whether it is deleted. */
export interface StoredRecord {
  readonly row: Row;
  readonly loadId: number;
  readonly deleted: boolean;
}

/** What the merge rule decided for one incoming record. */
export interface Decision {
  readonly outcome: "inserted" | "updated" | "unchanged";
  /** The record as it must be stored after this one (undefined when nothing is written). */
  readonly write?: StoredRecord;
  /** A vote re-sent with other content: the losing version, with the load that brought it. */
  readonly conflictLoser?: StoredRecord;
  /** A deleted record that a delivery holds again: live once more. */
  readonly restored: boolean;
  /** A post with other values but an older last activity than the stored one: not applied. */
  readonly stale?: boolean;
}

const LAST_ACTIVITY = columnIndex("posts", "last_activity_date");
const VOTE_ORDER = ["creation_date", "post_id", "vote_type_id", "user_id", "bounty_amount"].map(
  (name) => columnIndex("votes", name),
);

/**
 * The merge rule, the same for every engine: a new id is inserted; a post replaces the stored one
 * when its last activity is at least as recent; of two contents of one vote (votes carry no
 * version) the smaller wins whatever order they arrive in (earliest creation date, then the other
 * fields, an absent value before any present one), and the loser is kept as a conflict. A record
 * equal to the stored one changes nothing; a deleted record delivered again is live again.
 *
 * @example
 * decide("posts", stored, incoming, loadId).outcome; // "updated"
 */
export function decide(
  kind: DeliveryKind,
  stored: StoredRecord | undefined,
  incoming: Row,
  loadId: number,
): Decision {
  if (stored === undefined) {
    return {
      outcome: "inserted",
      write: { row: incoming, loadId, deleted: false },
      restored: false,
    };
  }
  const restored = stored.deleted;
  // Brought back, the record was last changed by this load, whatever version it keeps.
  const live = { ...stored, loadId, deleted: false };
  if (sameValues(stored.row, incoming)) {
    return restored
      ? { outcome: "unchanged", write: live, restored }
      : { outcome: "unchanged", restored };
  }
  const arriving: StoredRecord = { row: incoming, loadId, deleted: false };
  if (kind === "posts") {
    const fresher = String(incoming[LAST_ACTIVITY]) >= String(stored.row[LAST_ACTIVITY]);
    if (fresher) return { outcome: "updated", write: arriving, restored };
    return restored
      ? { outcome: "unchanged", write: live, restored, stale: true }
      : { outcome: "unchanged", restored, stale: true };
  }
  if (voteOrder(incoming, stored.row) < 0) {
    return { outcome: "updated", write: arriving, conflictLoser: stored, restored };
  }
  return {
    outcome: "unchanged",
    conflictLoser: arriving,
    restored,
    ...(restored ? { write: live } : {}),
  };
}

/** Compares two votes by the order that decides between contents of one vote id. */
function voteOrder(a: Row, b: Row): number {
  for (const index of VOTE_ORDER) {
    const left = a[index] ?? -1;
    const right = b[index] ?? -1;
    if (left < right) return -1;
    if (left > right) return 1;
  }
  return 0;
}

/**
 * True when a stored row holds exactly the incoming values. Integers beyond 2^53 are bigints on
 * both sides, so strict equality is value equality.
 */
function sameValues(stored: Row, incoming: Row): boolean {
  for (let index = 0; index < incoming.length; index++) {
    if (stored[index] !== incoming[index]) return false;
  }
  return true;
}

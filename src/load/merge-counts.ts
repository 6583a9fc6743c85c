/** What merging records into the warehouse did. */
export interface MergeCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Votes re-sent with other content: the losing version is kept in `vote_conflicts`. */
  conflicts: number;
  /** Posts delivered with an older last activity than the stored one: left as stored (also unchanged). */
  stale: number;
  /** Deleted records the delivery held again: live once more (also counted above). */
  restored: number;
  /** Records whose id the warehouse held before this load (the ledger's known ids). */
  known: number;
}

/** A fresh, zeroed tally. */
export function emptyCounts(): MergeCounts {
  return { inserted: 0, updated: 0, unchanged: 0, conflicts: 0, stale: 0, restored: 0, known: 0 };
}

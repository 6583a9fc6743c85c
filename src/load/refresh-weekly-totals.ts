import type { Database } from "better-sqlite3";
import type { DeliveryKind } from "../model/kinds.js";
import { WEEK_OF_SQL } from "../model/week.js";

const WEEK_OF = WEEK_OF_SQL.sqlite("creation_date");
const TOUCHED = "(SELECT value FROM json_each(?))";

/** A weekly totals table, and the grouping that recomputes its rows from a kind's rows. */
interface Rollup {
  readonly kind: DeliveryKind;
  readonly table: string;
  /** Selects the table's rows for weeks from the first bound date, of the weeks bound second. */
  readonly select: string;
}

const ROLLUPS: readonly Rollup[] = [
  {
    kind: "votes",
    table: "weekly_vote_totals",
    select: `SELECT ${WEEK_OF} AS week, count(*), count(DISTINCT post_id), sum(vote_type_id = 2),
                    sum(vote_type_id = 3), min(creation_date), max(creation_date),
                    count(DISTINCT CASE WHEN vote_type_id IN (2, 3) THEN post_id END)
             FROM votes WHERE creation_date >= ?
             GROUP BY week HAVING week IN ${TOUCHED}`,
  },
  {
    kind: "posts",
    table: "weekly_post_totals",
    select: `SELECT ${WEEK_OF} AS week, count(*), min(creation_date), max(last_activity_date)
             FROM posts_all INDEXED BY posts_by_creation
             WHERE creation_date >= ? AND deleted_by_load_id IS NULL
             GROUP BY week HAVING week IN ${TOUCHED}`,
  },
];

/**
 * Recomputes the weekly totals (`weekly_vote_totals`, `weekly_post_totals`) of every week a run
 * touched, from the rows themselves, so the weekly views stay exact while reading a few hundred
 * rows instead of every vote. One pass over votes (and one over the posts' creation index) per
 * run; call inside the run's transaction, after its files are merged.
 *
 * @example
 * refreshWeeklyTotals(db, { votes: ["2021-08-30"], posts: [] });
 */
export function refreshWeeklyTotals(
  db: Database,
  weeksTouched: Readonly<Record<DeliveryKind, readonly string[]>>,
): void {
  for (const { kind, table, select } of ROLLUPS) {
    const touched = weeksTouched[kind];
    if (touched.length === 0) continue;
    const weeks = JSON.stringify(touched);
    db.prepare(`DELETE FROM ${table} WHERE week_start IN ${TOUCHED}`).run(weeks);
    db.prepare(`INSERT INTO ${table} ${select}`).run(earliest(touched), weeks);
  }
}

function earliest(weeks: readonly string[]): string {
  return weeks.reduce((first, week) => (week < first ? week : first));
}

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

/** The weekly totals rows of the weeks a run touched, by table, as {@link readWeeklyTotals} reads them. */
export type WeeklyTotals = Readonly<Record<DeliveryKind, readonly unknown[][]>>;

/**
 * Recomputes the weekly totals (`weekly_vote_totals`, `weekly_post_totals`) of every week a run
 * touched, from the rows themselves, so the weekly views stay exact while reading a few hundred
 * rows instead of every vote. One pass over votes (and one over the posts' creation index) per
 * run; call inside the run's transaction, after its files are merged.
 *
 * @example
 * refreshWeeklyTotals(db, { votes: ["2021-08-30"], posts: [] });
 */
export function refreshWeeklyTotals(db: Database, weeksTouched: WeeksTouched): void {
  writeWeeklyTotals(db, weeksTouched, readWeeklyTotals(db, weeksTouched));
}

/** The weeks whose totals a run changed, by kind (Mondays, `YYYY-MM-DD`). */
export type WeeksTouched = Readonly<Record<DeliveryKind, readonly string[]>>;

/**
 * The totals of the weeks touched, read and not yet written: the expensive half of
 * {@link refreshWeeklyTotals}, which a read-only connection can do on another thread.
 *
 * @example
 * const totals = readWeeklyTotals(db, { votes: ["2021-08-30"], posts: [] });
 */
export function readWeeklyTotals(db: Database, weeksTouched: WeeksTouched): WeeklyTotals {
  const totals: Record<DeliveryKind, unknown[][]> = { posts: [], votes: [] };
  for (const { kind, select } of ROLLUPS) {
    const touched = weeksTouched[kind];
    if (touched.length === 0) continue;
    totals[kind] = db
      .prepare(select)
      .raw()
      .all(earliest(touched), JSON.stringify(touched)) as unknown[][];
  }
  return totals;
}

/**
 * Replaces the totals of the weeks touched with those read by {@link readWeeklyTotals}.
 *
 * @example
 * writeWeeklyTotals(db, touched, readWeeklyTotals(db, touched));
 */
export function writeWeeklyTotals(
  db: Database,
  weeksTouched: WeeksTouched,
  totals: WeeklyTotals,
): void {
  for (const { kind, table } of ROLLUPS) {
    const touched = weeksTouched[kind];
    if (touched.length === 0) continue;
    db.prepare(`DELETE FROM ${table} WHERE week_start IN ${TOUCHED}`).run(JSON.stringify(touched));
    const rows = totals[kind];
    // Every record of the weeks touched may be gone (deleted by a snapshot): nothing to insert.
    if (rows.length === 0) continue;
    const width = rows[0]?.length ?? 0;
    const insert = db.prepare(`INSERT INTO ${table} VALUES (${Array(width).fill("?").join(", ")})`);
    for (const row of rows) insert.run(row);
  }
}

function earliest(weeks: readonly string[]): string {
  return weeks.reduce((first, week) => (week < first ? week : first));
}

import type { Database } from "better-sqlite3";
import type { Check } from "../check/checks.js";
import { SAMPLE_SIZE } from "../check/run-checks.js";
import { DELIVERY_KINDS, KINDS } from "../model/kinds.js";
import { STORED_TABLES } from "./sqlite-store.js";
import type { Findings } from "./warehouse.js";

interface ColumnInfo {
  readonly name: string;
  readonly type: string;
  readonly notnull: number;
  readonly pk: number;
}

/**
 * Runs checks on SQLite. The checks of one row at a time share one scan of their table (one
 * `count(*) FILTER (WHERE ...)` each), since reading every post's body once per check would
 * dominate; any other check is counted on its own. Only a check that fails reads a sample of
 * ids, the smallest first. A check whose rows the table's constraints forbid (see
 * {@link forbiddenBySchema}) finds none without a scan.
 *
 * @example
 * const [orphans] = sqliteFindings(db, [votesOrphaned], "2026-12-02T00:00:00.000");
 */
export function sqliteFindings(db: Database, checks: readonly Check[], now: string): Findings[] {
  const bind = (sql: string): object[] => (sql.includes("@now") ? [{ now }] : []);
  const failing = new Map<Check, number>();
  for (const check of checks) if (forbiddenBySchema(db, check)) failing.set(check, 0);
  for (const table of DELIVERY_KINDS) {
    const scanned = checks.filter((check) => check.row?.table === table && !failing.has(check));
    if (scanned.length === 0) continue;
    const counts = scanned.map((check) => `count(*) FILTER (WHERE ${check.row?.fails ?? ""})`);
    const sql = `SELECT ${counts.join(", ")} FROM ${table} AS checked`;
    const row = db
      .prepare(sql)
      .raw()
      .get(...bind(sql)) as number[];
    scanned.forEach((check, index) => failing.set(check, row[index] ?? 0));
  }
  return checks.map((check) => {
    const count =
      failing.get(check) ??
      (db
        .prepare(`SELECT count(*) FROM (${check.sql})`)
        .pluck()
        .get(...bind(check.sql)) as number);
    const sample =
      count === 0
        ? []
        : (db
            .prepare(`SELECT id FROM (${check.sql}) ORDER BY id LIMIT ${String(SAMPLE_SIZE)}`)
            .pluck()
            .all(...bind(check.sql)) as number[]);
    return { failing: count, sample };
  });
}

/**
 * Whether the stored table's schema makes the check's rows impossible: it is a `STRICT` table
 * whose `id` is its `INTEGER PRIMARY KEY` (one row per id, never null), or whose required
 * columns are all `NOT NULL`. Read from the schema each time, so a table without the constraint is
 * scanned.
 */
export function forbiddenBySchema(db: Database, check: Check): boolean {
  if (check.forbiddenBy === undefined) return false;
  const { table, constraint } = check.forbiddenBy;
  const [list] = db.pragma(`table_list(${STORED_TABLES[table]})`) as { strict: number }[];
  if (list?.strict !== 1) return false;
  const columns = db.pragma(`table_info(${STORED_TABLES[table]})`) as ColumnInfo[];
  const isKey = ({ name, type, pk }: ColumnInfo): boolean =>
    name === "id" && type === "INTEGER" && pk === 1 && !columns.some((other) => other.pk > 1);
  if (constraint === "unique id") return columns.some(isKey);
  return KINDS[table].fields
    .filter((field) => field.required)
    .every((field) =>
      columns.some(
        (column) => column.name === field.column && (column.notnull === 1 || isKey(column)),
      ),
    );
}

import type { Database } from "better-sqlite3";
import type { Check } from "../check/checks.js";
import { SAMPLE_SIZE } from "../check/run-checks.js";
import { DELIVERY_KINDS } from "../model/kinds.js";
import type { Findings } from "./warehouse.js";

/**
 * Runs checks on SQLite. The checks of one row at a time share one scan of their table (one
 * `count(*) FILTER (WHERE ...)` each), since reading every post's body once per check would
 * dominate; any other check is counted on its own. Only a check that fails reads a sample of
 * ids, the smallest first.
 *
 * @example
 * const [orphans] = sqliteFindings(db, [votesOrphaned], "2026-12-02T00:00:00.000");
 */
export function sqliteFindings(db: Database, checks: readonly Check[], now: string): Findings[] {
  const bind = (sql: string): object[] => (sql.includes("@now") ? [{ now }] : []);
  const failing = new Map<Check, number>();
  for (const table of DELIVERY_KINDS) {
    const scanned = checks.filter((check) => check.row?.table === table);
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

import type { Database } from "better-sqlite3";
import { CHECKS, type Check, type Severity } from "./checks.js";

/** How many offending ids a check result keeps as a sample. */
export const SAMPLE_SIZE = 10;

/** What one check found. */
export interface CheckResult {
  readonly name: string;
  readonly severity: Severity;
  readonly description: string;
  /** Rows that fail the check. */
  readonly failing: number;
  /** Up to {@link SAMPLE_SIZE} of their ids, smallest first. */
  readonly sample: readonly number[];
}

/** All results of one run of the checks. */
export interface CheckReport {
  readonly checkRunId: number;
  readonly checkedAt: string;
  readonly results: readonly CheckResult[];
  /** Error-severity checks that found problems. */
  readonly errors: readonly CheckResult[];
}

/**
 * Runs every data-quality check over the whole warehouse and stores the results in
 * `check_runs` and `check_results`, so their history can be queried.
 *
 * @param runId the ingest run the checks follow, or null for a check on demand
 * @example
 * const report = runChecks(db, new Date(), null);
 * report.errors.length; // 0 when the warehouse is clean
 */
export function runChecks(db: Database, now: Date, runId: number | null): CheckReport {
  const checkedAt = now.toISOString();
  const reference = checkedAt.slice(0, 23);
  const results = CHECKS.map((check) => runCheck(db, check, reference));
  const store = db.transaction(() => {
    const checkRunId = Number(
      db.prepare("INSERT INTO check_runs (checked_at, run_id) VALUES (?, ?)").run(checkedAt, runId)
        .lastInsertRowid,
    );
    const insert = db.prepare(
      `INSERT INTO check_results (check_run_id, name, severity, failing, sample_ids)
       VALUES (?, ?, ?, ?, ?)`,
    );
    for (const result of results) {
      const sample = JSON.stringify(result.sample);
      insert.run(checkRunId, result.name, result.severity, result.failing, sample);
    }
    return checkRunId;
  });
  const checkRunId = store.immediate();
  const errors = results.filter((result) => result.severity === "error" && result.failing > 0);
  return { checkRunId, checkedAt, results, errors };
}

function runCheck(db: Database, check: Check, now: string): CheckResult {
  const rows = db
    .prepare(
      `SELECT id, count(*) OVER () AS failing FROM (${check.sql}) ORDER BY id LIMIT ${String(SAMPLE_SIZE)}`,
    )
    .all(...(check.sql.includes("@now") ? [{ now }] : [])) as { id: number; failing: number }[];
  return {
    name: check.name,
    severity: check.severity,
    description: check.description,
    failing: rows[0]?.failing ?? 0,
    sample: rows.map((row) => row.id),
  };
}

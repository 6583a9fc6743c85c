import type { Warehouse } from "../warehouse/warehouse.js";
import { CHECKS, type Severity } from "./checks.js";
import { LEDGER_SQL, ledgerFindings, type LedgerLoad } from "./ledger-checks.js";

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
 * Runs every data-quality check over the whole warehouse, on any engine, and stores the results
 * in `check_runs` and `check_results`, so their history can be queried.
 *
 * @param runId the ingest run the checks follow, or null for a check on demand
 * @example
 * const report = await runChecks(warehouse, new Date(), null);
 * report.errors.length; // 0 when the warehouse is clean
 */
export async function runChecks(
  warehouse: Warehouse,
  now: Date,
  runId: number | null,
): Promise<CheckReport> {
  const checkedAt = now.toISOString();
  const ledger = ledgerFindings((await warehouse.read(LEDGER_SQL)) as unknown as LedgerLoad[]);
  const results: CheckResult[] = [];
  for (const check of CHECKS) {
    const ids = ledger[check.name];
    const found =
      ids === undefined
        ? await warehouse.findings(check, checkedAt.slice(0, 23))
        : { failing: ids.length, sample: ids.slice(0, SAMPLE_SIZE) };
    const { name, severity, description } = check;
    results.push({ name, severity, description, ...found });
  }
  const checkRunId = await warehouse.storeChecks(checkedAt, runId, results);
  const errors = results.filter((result) => result.severity === "error" && result.failing > 0);
  return { checkRunId, checkedAt, results, errors };
}

import type { Findings, Warehouse } from "../warehouse/warehouse.js";
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
  /** The checks whose findings were carried over from the checks of an earlier run (see {@link runChecks}). */
  readonly carriedOver: readonly string[];
  /** Error-severity checks that found problems. */
  readonly errors: readonly CheckResult[];
}

/** How a run of the checks may save work. */
export interface CheckOptions {
  /**
   * This run changed no data since run N (every file it was given was loaded before): the
   * findings that N's checks stored cannot have changed, and are carried over instead of read
   * again. A check of "later than now" is still run when it found rows (time moves on) or when
   * the clock reads earlier than at N's checks; every check is run when N's checks were not the
   * last ones stored.
   */
  readonly unchangedSinceRun?: number;
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
  options: CheckOptions = {},
): Promise<CheckReport> {
  const checkedAt = now.toISOString();
  const ledger = ledgerFindings((await warehouse.read(LEDGER_SQL)) as unknown as LedgerLoad[]);
  const carried =
    options.unchangedSinceRun === undefined
      ? new Map<string, Findings>()
      : await carriedFindings(warehouse, options.unchangedSinceRun, checkedAt);
  const queried = CHECKS.filter(
    (check) => ledger[check.name] === undefined && !carried.has(check.name),
  );
  const found = await warehouse.findings(queried, checkedAt.slice(0, 23));
  const queriedFindings = new Map(queried.map((check, index) => [check.name, found[index]]));
  const results = CHECKS.map(({ name, severity, description }): CheckResult => {
    const ids = ledger[name];
    const findings =
      ids === undefined
        ? (carried.get(name) ?? queriedFindings.get(name))
        : { failing: ids.length, sample: ids.slice(0, SAMPLE_SIZE) };
    if (findings === undefined) throw new Error(`no findings for check ${name}`);
    return { name, severity, description, ...findings };
  });
  const checkRunId = await warehouse.storeChecks(checkedAt, runId, results);
  const errors = results.filter((result) => result.severity === "error" && result.failing > 0);
  return { checkRunId, checkedAt, results, errors, carriedOver: carriedNames(carried) };
}

/** The names of the carried checks, in the order checks are run. */
function carriedNames(carried: ReadonlyMap<string, Findings>): string[] {
  return CHECKS.filter((check) => carried.has(check.name)).map((check) => check.name);
}

/** The findings the last stored checks hold that still stand, when they followed run `run`. */
async function carriedFindings(
  warehouse: Warehouse,
  run: number,
  checkedAt: string,
): Promise<Map<string, Findings>> {
  const [last] = await warehouse.read(
    "SELECT run_id FROM check_runs ORDER BY check_run_id DESC LIMIT 1",
  );
  if (last === undefined || Number(last.run_id) !== run) return new Map();
  const stored = await warehouse.read(
    "SELECT name, failing, sample_ids, checked_at FROM latest_check_results",
  );
  const carried = new Map<string, Findings>();
  for (const row of stored) {
    const check = CHECKS.find((each) => each.name === row.name);
    if (check === undefined || check.ledger === true) continue;
    const failing = Number(row.failing);
    // "Later than now" finds no more rows as time moves on, but may once the clock goes back.
    const stillNone = failing === 0 && String(row.checked_at) <= checkedAt;
    if (check.sql.includes("@now") && !stillNone) continue;
    carried.set(check.name, { failing, sample: JSON.parse(String(row.sample_ids)) as number[] });
  }
  return carried;
}

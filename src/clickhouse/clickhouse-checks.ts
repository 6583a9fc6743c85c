import { CHECKS, type ClickHouseSources } from "../check/checks.js";
import { SAMPLE_SIZE, type CheckReport, type CheckResult } from "../check/run-checks.js";
import type { ClickHouseServers } from "./clickhouse-connection.js";
import { sqlString } from "./sql-literal.js";

/**
 * Runs the data-quality checks on a ClickHouse warehouse and stores the results in its
 * `check_runs` and `check_results`, as SQLite does. Checks whose rule ClickHouse's schema already
 * enforces (required fields are not Nullable; each id is kept once) are not run there, and are left
 * out of the report.
 *
 * @example
 * const report = await runClickHouseChecks(servers, new Date(), null);
 */
export async function runClickHouseChecks(
  servers: ClickHouseServers,
  now: Date,
  runId: number | null,
): Promise<CheckReport> {
  const db = servers.target.database;
  const checkedAt = now.toISOString();
  const sources: ClickHouseSources = {
    posts: `${db}.posts`,
    votes: `${db}.votes`,
    now: sqlString(checkedAt.slice(0, 23)),
  };
  const results: CheckResult[] = [];
  for (const check of CHECKS) {
    if (check.clickhouse === undefined) continue;
    const [row] = await servers.rows(
      `SELECT count(), arraySlice(arraySort(groupArray(id)), 1, ${String(SAMPLE_SIZE)}) FROM (${check.clickhouse(sources)})`,
    );
    results.push({
      name: check.name,
      severity: check.severity,
      description: check.description,
      failing: Number(row?.[0] ?? 0),
      sample: JSON.parse(String(row?.[1] ?? "[]")) as number[],
    });
  }
  const checkRunId = (await servers.count(`SELECT max(check_run_id) FROM ${db}.check_runs`)) + 1;
  await servers.insert(
    `${db}.check_results`,
    results.map((result) => ({
      check_run_id: checkRunId,
      name: result.name,
      severity: result.severity,
      failing: result.failing,
      sample_ids: JSON.stringify(result.sample),
    })),
  );
  await servers.insert(`${db}.check_runs`, [
    { check_run_id: checkRunId, checked_at: checkedAt, run_id: runId },
  ]);
  const errors = results.filter((result) => result.severity === "error" && result.failing > 0);
  return { checkRunId, checkedAt, results, errors };
}

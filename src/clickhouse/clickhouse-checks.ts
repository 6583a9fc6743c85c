import { CHECKS, type ClickHouseSources } from "../check/checks.js";
import { SAMPLE_SIZE, type CheckReport, type CheckResult } from "../check/run-checks.js";
import { KINDS, type DeliveryKind } from "../model/kinds.js";
import {
  connectClickHouse,
  ensureClickHouseSchema,
  requireClickHouseWarehouse,
} from "./clickhouse-ingest.js";
import { CH_TABLES, latestRows } from "./clickhouse-schema.js";
import { sqlString } from "./sql-literal.js";
import type { ClickHouseTarget } from "./target-url.js";

/** Every delivered column of a kind but the id, for the checks' view of each latest row. */
function deliveredColumns(kind: DeliveryKind): string[] {
  return KINDS[kind].fields.map((field) => field.column).filter((column) => column !== "id");
}

/**
 * Runs the data-quality checks on a ClickHouse warehouse, over each post's and vote's latest
 * version, and stores the results in its `check_results` table. Checks whose rule ClickHouse's
 * schema already enforces (required fields are not Nullable; each id is kept once) are not run
 * there, and are left out of the report.
 *
 * @example
 * const report = await runClickHouseChecks(target, new Date());
 */
export async function runClickHouseChecks(
  target: ClickHouseTarget,
  now: Date,
): Promise<CheckReport> {
  const { database } = target;
  const checkedAt = now.toISOString();
  const sources: ClickHouseSources = {
    posts: latestRows(database, "posts", deliveredColumns("posts")),
    votes: latestRows(database, "votes", deliveredColumns("votes")),
    now: sqlString(checkedAt.slice(0, 23)),
  };
  await requireClickHouseWarehouse(target);
  await ensureClickHouseSchema(target);
  const client = connectClickHouse(target.hosts[0] ?? "");
  try {
    const results: CheckResult[] = [];
    for (const check of CHECKS) {
      if (check.clickhouse === undefined) continue;
      const sql = check.clickhouse(sources);
      const [summary] = await (
        await client.query({
          query: `SELECT count() AS failing, arraySlice(arraySort(groupArray(id)), 1, ${String(SAMPLE_SIZE)}) AS sample FROM (${sql})`,
          format: "JSONEachRow",
        })
      ).json<{ failing: number; sample: number[] }>();
      results.push({
        name: check.name,
        severity: check.severity,
        description: check.description,
        failing: summary?.failing ?? 0,
        sample: summary?.sample ?? [],
      });
    }
    const checkRunId = Date.now();
    await client.insert({
      table: `${database}.${CH_TABLES.checkResults}`,
      values: results.map((result) => ({
        check_run_id: checkRunId,
        checked_at: checkedAt,
        name: result.name,
        severity: result.severity,
        failing: result.failing,
        sample_ids: result.sample,
      })),
      format: "JSONEachRow",
    });
    const errors = results.filter((result) => result.severity === "error" && result.failing > 0);
    return { checkRunId, checkedAt, results, errors };
  } finally {
    await client.close();
  }
}

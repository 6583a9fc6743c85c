import { StackhouseError } from "../errors.js";
import type { ReadQuery, QueryValue } from "../query/read-only-query.js";
import { connectClickHouse } from "./clickhouse-ingest.js";
import type { ClickHouseTarget } from "./target-url.js";

/**
 * Runs an analyst's query on a ClickHouse warehouse with the server's `readonly` setting, so a
 * statement that would write is refused by ClickHouse itself. Unqualified names resolve in the
 * warehouse's database.
 *
 * @example
 * const { columns, rows } = await clickHouseReadQuery(target, "SELECT * FROM weekly_votes");
 */
export async function clickHouseReadQuery(
  target: ClickHouseTarget,
  sql: string,
): Promise<ReadQuery> {
  const client = connectClickHouse(target.hosts[0] ?? "", target.database);
  try {
    const result = await client.query({
      query: sql.trim().replace(/;\s*$/, ""),
      format: "JSON",
      clickhouse_settings: { readonly: "1" },
    });
    const { meta, data } = await result.json<Record<string, QueryValue>>();
    const columns = meta?.map((column) => column.name) ?? [];
    const rows = data.map((row) => columns.map((column) => row[column] ?? null));
    return { columns, rows: rows[Symbol.iterator]() };
  } catch (error) {
    const message = (error as Error).message.split("\n")[0] ?? "";
    throw new StackhouseError("QUERY_FAILED", `ClickHouse: ${message}`, { cause: error });
  } finally {
    await client.close();
  }
}

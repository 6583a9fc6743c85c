import { parseTarget } from "../clickhouse/target-url.js";
import { StackhouseError } from "../errors.js";
import { queryInChild } from "./query-in-child.js";
import type { RowStream } from "./row-stream.js";

/** The warehouse a query reads: a SQLite file, or a ClickHouse target's URL. */
export interface QuerySource {
  readonly db: string;
  readonly target?: string | undefined;
}

/** What an analyst's query may use: SEDE names, rows wanted (0: all), and its time limit. */
export interface QueryBounds {
  readonly sede: boolean;
  readonly limit: number;
  /** Stop the query when no row has come for this many seconds (0: never). */
  readonly timeoutSeconds: number;
  /** Every integer as a bigint, so a real number is told by being a number (Parquet's column types). */
  readonly exactIntegers?: boolean;
  /**
   * Stops the query when aborted (a server closing, a client gone). Its owner then handles the
   * process's signals too: without one, Ctrl-C stops the query before the process ends.
   */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Starts an analyst's read-only query where it can be stopped: a child process over the SQLite
 * file opened read-only, or the ClickHouse server with its `readonly` setting. `query` and
 * `serve` both start their queries here, so they share one set of rules.
 *
 * @example
 * const { columns, batches } = await startQuery({ db: "w.db" }, "SELECT * FROM weekly_votes", { sede: false, limit: 0, timeoutSeconds: 60 });
 */
export async function startQuery(
  source: QuerySource,
  sql: string,
  bounds: QueryBounds,
): Promise<RowStream> {
  const { limit, timeoutSeconds, signal, exactIntegers } = bounds;
  if (source.target !== undefined) {
    if (bounds.sede) {
      throw new StackhouseError("USAGE", "--sede adds SQLite views; a ClickHouse target has none");
    }
    // Loaded only for a ClickHouse target, so SQLite runs do not pay for the client.
    const { clickHouseReadQuery } = await import("../clickhouse/clickhouse-query.js");
    return clickHouseReadQuery(parseTarget(source.target), sql, {
      limit,
      timeoutSeconds,
      signal,
      exactIntegers,
    });
  }
  return queryInChild({
    db: source.db,
    sql,
    sede: bounds.sede,
    limit,
    timeoutSeconds,
    signal,
    exactIntegers,
  });
}

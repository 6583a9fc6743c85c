import { randomUUID } from "node:crypto";
import type { Row } from "@clickhouse/client";
import { StackhouseError } from "../errors.js";
import type { QueryValue } from "../query/read-only-query.js";
import { startsWith } from "../query/query-text.js";
import { checkedRowSize, type RowBatch, type RowStream } from "../query/row-stream.js";
import { withinTimeLimit } from "../query/time-limit.js";
import { connectClickHouse, serverMessage } from "./clickhouse-connection.js";
import { sqlString } from "./sql-literal.js";
import type { ClickHouseTarget } from "./target-url.js";
import { tsvFields, typedValue } from "./tsv-values.js";

/** How much of a result to read, and how long to wait for it. */
export interface ClickHouseQueryOptions {
  /** Rows wanted (0 for all): the server applies `LIMIT limit + 1` to a SELECT. */
  readonly limit: number;
  /** Cancel the query when no row has come for this many seconds (0: never). */
  readonly timeoutSeconds: number;
  /** Cancels the query (and kills it on the server) when aborted. */
  readonly signal?: AbortSignal | undefined;
  /** Every integer as a bigint, so a float is told by being a number (Parquet's column types). */
  readonly exactIntegers?: boolean | undefined;
}

/** How ClickHouse reports an error in the middle of a result it has begun to send. */
const ERROR_LINE = /^Code: \d+[.,] /;

/**
 * Runs an analyst's query on a ClickHouse warehouse with the server's `readonly` setting, so a
 * statement that would write is refused by ClickHouse itself, and streams the rows back.
 * Unqualified names resolve in the warehouse's database. A SELECT is wrapped in
 * `LIMIT limit + 1`, so the server stops after the rows wanted (one more tells whether rows were
 * cut). Rows come as TabSeparatedWithNamesAndTypes: 64-bit integers are exact (bigint beyond
 * 2^53) and columns keep their order. When no row comes for `timeoutSeconds`, the request is
 * abandoned and the query is killed on the server.
 *
 * @example
 * const { columns, batches } = await clickHouseReadQuery(target, "SELECT * FROM weekly_votes", { limit: 1000, timeoutSeconds: 60 });
 */
export async function clickHouseReadQuery(
  target: ClickHouseTarget,
  sql: string,
  options: ClickHouseQueryOptions,
): Promise<RowStream> {
  const body = sql.trim().replace(/;\s*$/, "");
  const wrapped = options.limit > 0 && startsWith(body, ["SELECT", "WITH"]);
  const query = wrapped ? `SELECT * FROM (\n${body}\n) LIMIT ${String(options.limit + 1)}` : body;
  const host = target.hosts[0] ?? "";
  const client = connectClickHouse(host, target.database);
  const queryId = randomUUID();
  const abort = new AbortController();
  let closing: Promise<void> | undefined;
  const close = (killQuery: boolean): Promise<void> =>
    (closing ??= (async () => {
      options.signal?.removeEventListener("abort", stopped);
      abort.abort();
      if (killQuery) await killOnServer(host, queryId);
      await client.close();
    })());
  function stopped(): void {
    void close(true);
  }
  options.signal?.addEventListener("abort", stopped, { once: true });
  if (options.signal?.aborted === true) stopped();
  const timeLimited = <T>(work: Promise<T>): Promise<T> =>
    withinTimeLimit(work, options.timeoutSeconds, () => void close(true));
  try {
    const result = await timeLimited(
      client.query({
        query,
        format: "TabSeparatedWithNamesAndTypes",
        clickhouse_settings: { readonly: "1" },
        query_id: queryId,
        abort_signal: abort.signal,
      }),
    );
    const chunks = (result.stream() as AsyncIterable<Row[]>)[Symbol.asyncIterator]();
    const lines = async (): Promise<string[] | undefined> => {
      const next = await timeLimited(chunks.next());
      return next.done === true ? undefined : next.value.map((row) => row.text);
    };
    const head: string[] = [];
    while (head.length < 2) {
      const more = await lines();
      if (more === undefined) break;
      head.push(...more);
    }
    const [names, types, ...first] = head;
    if (names === undefined || types === undefined || ERROR_LINE.test(names)) {
      throw new StackhouseError(
        "QUERY_FAILED",
        `ClickHouse: ${names ?? "the query returned nothing"}`,
      );
    }
    const columns = tsvFields(names).map((name) => name ?? "");
    const columnTypes = tsvFields(types).map((type) => type ?? "");
    const cutAt = wrapped || options.limit === 0 ? Infinity : options.limit + 1;

    async function* batches(): AsyncGenerator<RowBatch> {
      let count = 0;
      try {
        for (let chunk: string[] | undefined = first; chunk !== undefined; chunk = await lines()) {
          const rows: QueryValue[][] = [];
          try {
            for (const line of chunk.slice(0, cutAt - count)) {
              const row = parseRow(line, columnTypes, options.exactIntegers === true);
              checkedRowSize(columns, row, ++count);
              rows.push(row);
            }
          } finally {
            // The rows before a failure go out ahead of its error, as on SQLite.
            if (rows.length > 0) yield rows;
          }
          if (count >= cutAt) break;
        }
      } catch (error) {
        throw queryError(error);
      } finally {
        await close(false);
      }
    }
    return { columns, batches: batches() };
  } catch (error) {
    await close(false);
    throw queryError(error);
  }
}

function parseRow(line: string, types: readonly string[], exactIntegers: boolean): QueryValue[] {
  const fields = tsvFields(line);
  if (ERROR_LINE.test(line) || fields.length !== types.length) {
    throw new StackhouseError("QUERY_FAILED", `ClickHouse: ${line}`);
  }
  return fields.map((field, index) => typedValue(types[index] ?? "", field, exactIntegers));
}

/** Stops the query on the server too: dropping the connection alone does not stop ClickHouse. */
async function killOnServer(host: string, queryId: string): Promise<void> {
  const client = connectClickHouse(host);
  try {
    await client.command({ query: `KILL QUERY WHERE query_id = ${sqlString(queryId)} ASYNC` });
  } catch {
    // The server is gone or the query already ended: nothing is left running either way.
  } finally {
    await client.close();
  }
}

function queryError(error: unknown): StackhouseError {
  if (error instanceof StackhouseError) return error;
  const message = error instanceof Error ? serverMessage(error) : String(error);
  return new StackhouseError("QUERY_FAILED", `ClickHouse: ${message}`, { cause: error });
}

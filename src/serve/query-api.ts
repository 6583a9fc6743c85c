import type { ServerResponse } from "node:http";
import { StackhouseError } from "../errors.js";
import { MAX_SQL_BYTES } from "../query/query-text.js";
import type { RowBatch } from "../query/row-stream.js";
import { startQuery, type QuerySource } from "../query/start-query.js";
import { jsonValue, writeRows, type RowSink } from "../query/write-rows.js";

/** The formats `/api/query` answers in: JSON a page at a time, the others whole and streamed. */
export const API_FORMATS = ["json", "csv", "ndjson", "parquet"] as const;
export type ApiFormat = (typeof API_FORMATS)[number];

/** How the server runs analysts' queries. */
export interface QuerySettings {
  readonly source: QuerySource;
  /** Stop a query when no row has come for this many seconds (0: never). */
  readonly timeoutSeconds: number;
  /** Rows in one page of a JSON answer. */
  readonly pageRows: number;
  /** Where failures the client is not shown (an internal error's stack, a download cut) are written. */
  readonly log: (line: string) => void;
}

/** One request to `/api/query`, checked. */
export interface QueryRequest {
  readonly sql: string;
  readonly format: ApiFormat;
  /** The page of a JSON answer, from 1. */
  readonly page: number;
  readonly sede: boolean;
  /** The whole result as a file: JSON then comes as one array, not a page. */
  readonly download: boolean;
}

/** One page of a JSON answer, and the link to the next when there are more rows. */
export interface QueryPage {
  readonly columns: readonly string[];
  readonly rows: (string | number | null)[][];
  readonly page: number;
  readonly page_rows: number;
  /** The number, from 1, of the page's first row. */
  readonly first_row: number;
  readonly more: boolean;
  readonly next: string | null;
  readonly elapsed_ms: number;
}

const CONTENT_TYPES: Readonly<Record<ApiFormat, string>> = {
  json: "application/json; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  ndjson: "application/x-ndjson; charset=utf-8",
  parquet: "application/vnd.apache.parquet",
};

/**
 * Reads `/api/query`'s parameters: `sql` (at most 1 MiB), `format`, `page`, `sede=1` and
 * `download=1`. A wrong one is a `USAGE` error naming it.
 *
 * @example
 * const request = queryRequest(new URLSearchParams("sql=SELECT+1&format=csv"));
 */
export function queryRequest(params: URLSearchParams): QueryRequest {
  const sql = params.get("sql") ?? "";
  if (sql.trim() === "") throw usage("give the query in the sql parameter");
  if (Buffer.byteLength(sql) > MAX_SQL_BYTES) throw usage("the query is longer than 1 MiB");
  const formatText = params.get("format") ?? "json";
  const format = API_FORMATS.find((candidate) => candidate === formatText);
  if (format === undefined) throw usage(`format: choose one of ${API_FORMATS.join(", ")}`);
  const pageText = params.get("page") ?? "1";
  if (!/^[1-9]\d{0,8}$/.test(pageText)) throw usage("page: give a whole number from 1");
  return {
    sql,
    format,
    page: Number(pageText),
    sede: params.get("sede") === "1",
    download: params.get("download") === "1",
  };
}

/**
 * One page of the query's rows as JSON values. The query is asked for the rows up to the page's
 * end and one more, which tells whether another page follows; `next` repeats the request's
 * parameters with the next page's number.
 *
 * @example
 * const page = await queryPage(settings, request, new URLSearchParams("sql=SELECT+1"), signal);
 */
export async function queryPage(
  settings: QuerySettings,
  request: QueryRequest,
  params: URLSearchParams,
  signal: AbortSignal,
): Promise<QueryPage> {
  let columns: readonly string[];
  const started = performance.now();
  const skip = (request.page - 1) * settings.pageRows;
  // The whole page, not only each row, must come within the time limit.
  const deadline = new AbortController();
  const timer =
    settings.timeoutSeconds > 0
      ? setTimeout(() => {
          deadline.abort();
        }, settings.timeoutSeconds * 1000)
      : undefined;
  const rows: (string | number | null)[][] = [];
  let seen = 0;
  try {
    const stream = await startQuery(settings.source, request.sql, {
      sede: request.sede,
      limit: skip + settings.pageRows,
      // The page's deadline bounds every wait for a row too: no second timer is needed.
      timeoutSeconds: 0,
      signal: AbortSignal.any([signal, deadline.signal]),
    });
    columns = stream.columns;
    for await (const batch of stream.batches) {
      for (const row of batch) {
        seen++;
        if (seen > skip && rows.length < settings.pageRows) rows.push(row.map(jsonValue));
      }
    }
  } catch (error) {
    if (deadline.signal.aborted) throw pageStopped(settings.timeoutSeconds);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const more = seen > skip + settings.pageRows;
  const next = new URLSearchParams(params);
  next.set("page", String(request.page + 1));
  return {
    columns,
    rows,
    page: request.page,
    page_rows: settings.pageRows,
    first_row: skip + 1,
    more,
    next: more ? `/api/query?${next.toString()}` : null,
    elapsed_ms: Math.round(performance.now() - started),
  };
}

/**
 * Streams every row of the query to `response` in a file format, as `query --output` writes it.
 * Nothing is sent until the first rows have come, so a query that fails at once throws here and
 * gets an error answer. A failure after that cuts the connection, so the download fails rather
 * than ending short; a client that goes away, or `signal`, stops the query.
 *
 * @example
 * await streamQuery(settings, request, response, SECURITY_HEADERS, signal);
 */
export async function streamQuery(
  settings: QuerySettings,
  request: QueryRequest,
  response: ServerResponse,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
): Promise<void> {
  const { columns, batches } = await startQuery(settings.source, request.sql, {
    sede: request.sede,
    limit: 0,
    timeoutSeconds: settings.timeoutSeconds,
    exactIntegers: request.format === "parquet",
    signal,
  });
  const start = (): void => {
    if (response.headersSent) return;
    response.writeHead(200, {
      ...headers,
      "Content-Type": CONTENT_TYPES[request.format],
      "Content-Disposition": `${request.download ? "attachment" : "inline"}; filename="stackhouse-query.${request.format}"`,
    });
  };
  const sink = responseSink(response, start, settings.timeoutSeconds);
  try {
    await writeRows(request.format, columns, oneAhead(batches), sink, 0);
    start();
    response.end();
  } catch (error) {
    // Once the answer has begun (or its client has gone), only a cut connection can tell.
    if (!response.headersSent && !response.destroyed) throw error;
    if (!response.destroyed) {
      settings.log(`a download was cut: ${error instanceof Error ? error.message : String(error)}`);
    }
    response.destroy();
  }
}

/**
 * The batches, the first passed on only once the second (or the end) has come: a query that fails
 * within its first batch gets an error answer rather than a cut download.
 */
async function* oneAhead(batches: AsyncIterable<RowBatch>): AsyncGenerator<RowBatch> {
  const iterator = batches[Symbol.asyncIterator]();
  try {
    const first = await iterator.next();
    if (first.done === true) return;
    let next = await iterator.next();
    yield first.value;
    while (next.done !== true) {
      yield next.value;
      next = await iterator.next();
    }
  } finally {
    await iterator.return?.();
  }
}

/**
 * Writes to the response, waiting while it is full. Fails once the client has gone, or has read
 * nothing for `seconds` (0: waits for ever), so a stalled download does not hold its query.
 */
function responseSink(response: ServerResponse, start: () => void, seconds: number): RowSink {
  return {
    write(chunk) {
      if (response.destroyed) throw new Error("the client went away");
      start();
      if (response.write(chunk)) return undefined;
      return new Promise<void>((resolve, reject) => {
        const timer =
          seconds > 0
            ? setTimeout(() => {
                response.destroy();
              }, seconds * 1000)
            : undefined;
        const settle = (): void => {
          clearTimeout(timer);
          response.off("drain", settle);
          response.off("close", settle);
          if (response.destroyed) reject(new Error("the client went away"));
          else resolve();
        };
        response.on("drain", settle);
        response.on("close", settle);
      });
    },
  };
}

function pageStopped(seconds: number): StackhouseError {
  return new StackhouseError(
    "QUERY_FAILED",
    `query stopped: its page was not ready within ${String(seconds)} s (the server's --timeout)`,
  );
}

function usage(message: string): StackhouseError {
  return new StackhouseError("USAGE", message);
}

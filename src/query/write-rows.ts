import type { QueryValue } from "./read-only-query.js";
import type { RowBatch } from "./row-stream.js";
import { tableRenderer, type RowRenderer } from "./table-rows.js";

/** How query results are written. */
export type OutputFormat = "table" | "csv" | "json" | "ndjson" | "parquet";

export const OUTPUT_FORMATS: readonly OutputFormat[] = [
  "table",
  "csv",
  "json",
  "ndjson",
  "parquet",
];

/** Where results go: stdout or an output file. A returned promise is waited for (backpressure). */
export interface RowSink {
  write(chunk: string | Uint8Array): unknown;
}

/** How many rows were written, and whether more were left out by the limit. */
export interface WriteSummary {
  readonly written: number;
  readonly truncated: boolean;
}

/**
 * Writes query results in one of the output formats, stopping after `limit` rows (0 for all).
 * Nothing is written until the first rows (or the end) have come, so a query that fails at once
 * writes nothing, not even a header; one that fails later has written every row before the
 * failure. Rows are rendered a batch at a time, so memory stays flat
 * for any number of rows. CSV follows RFC 4180 (NULL is an empty field); JSON is an array of
 * objects; NDJSON one object per line; the table is aligned text with NULL spelled out.
 *
 * @example
 * await writeRows("csv", ["week_start", "votes"], batches, process.stdout, 1000);
 */
export async function writeRows(
  format: OutputFormat,
  columns: readonly string[],
  batches: AsyncIterable<RowBatch>,
  sink: RowSink,
  limit: number,
): Promise<WriteSummary> {
  const renderer =
    format === "parquet"
      ? // The Parquet writer is loaded only when asked for: every command starts faster.
        (await import("./parquet-rows.js")).parquetRenderer(columns)
      : RENDERERS[format](columns);
  const iterator = batches[Symbol.asyncIterator]();
  let written = 0;
  let truncated = false;
  try {
    let next = await iterator.next();
    await put(sink, renderer.start());
    while (next.done !== true) {
      const room = limit > 0 ? limit - written : Infinity;
      const rows = next.value.length > room ? next.value.slice(0, room) : next.value;
      truncated = rows.length < next.value.length;
      if (rows.length > 0) await put(sink, renderer.rows(rows));
      written += rows.length;
      if (truncated) break;
      next = await nextOrHeld(iterator, renderer, sink);
    }
    await put(sink, renderer.end());
  } finally {
    await iterator.return?.();
  }
  return { written, truncated };
}

/** The next batch; when the query fails instead, the rows the renderer held back are written first. */
async function nextOrHeld(
  iterator: AsyncIterator<RowBatch>,
  renderer: RowRenderer,
  sink: RowSink,
): Promise<IteratorResult<RowBatch>> {
  try {
    return await iterator.next();
  } catch (error) {
    // The query's failure is what to report, even when the output fails too.
    await put(sink, renderer.held?.() ?? "").catch(() => undefined);
    throw error;
  }
}

async function put(sink: RowSink, text: string | Uint8Array): Promise<void> {
  if (text.length === 0) return;
  const result = sink.write(text);
  if (result instanceof Promise) await result;
}

const RENDERERS: Record<
  Exclude<OutputFormat, "parquet">,
  (columns: readonly string[]) => RowRenderer
> = {
  table: tableRenderer,
  csv: (columns) => ({
    start: () => `${columns.map(csvField).join(",")}\n`,
    rows: (rows) =>
      rows.map((row) => `${row.map((value) => csvField(plain(value))).join(",")}\n`).join(""),
    end: () => "",
  }),
  json: (columns) => {
    let first = true;
    return {
      start: () => "[",
      rows(rows) {
        const text = rows
          .map((row, index) => `${first && index === 0 ? "\n" : ",\n"}${objectText(columns, row)}`)
          .join("");
        first = false;
        return text;
      },
      end: () => (first ? "]\n" : "\n]\n"),
      // Ends the last line but not the array: a failed query's JSON does not parse as a whole answer.
      held: () => "\n",
    };
  },
  ndjson: (columns) => ({
    start: () => "",
    rows: (rows) => rows.map((row) => `${objectText(columns, row)}\n`).join(""),
    end: () => "",
  }),
};

/** A value as text, or null. */
function plain(value: QueryValue): string | null {
  if (value === null) return null;
  if (Buffer.isBuffer(value)) return `x'${value.toString("hex")}'`;
  return String(value);
}

function csvField(value: string | null): string {
  if (value === null) return "";
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * A cell as JSON takes it: integers beyond 2^53 and blobs as strings, so nothing is rounded.
 *
 * @example
 * jsonValue(2n ** 60n); // "1152921504606846976"
 */
export function jsonValue(value: QueryValue): string | number | null {
  return typeof value === "bigint" || Buffer.isBuffer(value) ? plain(value) : value;
}

/** A row as a JSON object. */
function objectText(columns: readonly string[], row: readonly QueryValue[]): string {
  const object: Record<string, unknown> = {};
  columns.forEach((column, index) => {
    object[column] = jsonValue(row[index] ?? null);
  });
  return JSON.stringify(object);
}

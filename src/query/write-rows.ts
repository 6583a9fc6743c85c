import { formatTable, type Cell } from "../cli/format-table.js";
import type { QueryValue } from "./read-only-query.js";

/** How query results are written. */
export type OutputFormat = "table" | "csv" | "json" | "ndjson";

export const OUTPUT_FORMATS: readonly OutputFormat[] = ["table", "csv", "json", "ndjson"];

/** Where results go: stdout or a file stream. */
export interface RowSink {
  write(text: string): unknown;
}

/** How many rows were written, and whether more were left out by the limit. */
export interface WriteSummary {
  readonly written: number;
  readonly truncated: boolean;
}

/**
 * Writes query results in one of the output formats, stopping after `limit` rows (0 for all).
 * CSV follows RFC 4180 (NULL is an empty field); JSON is an array of objects; NDJSON one object
 * per line; the table is aligned text with NULL spelled out.
 *
 * @example
 * writeRows("csv", ["week_start", "votes"], rows, process.stdout, 1000);
 */
export function writeRows(
  format: OutputFormat,
  columns: readonly string[],
  rows: Iterable<QueryValue[]>,
  sink: RowSink,
  limit: number,
): WriteSummary {
  const limited = take(rows, limit);
  let written = 0;
  switch (format) {
    case "table": {
      const cells: Cell[][] = [];
      for (const row of limited.rows) cells.push(row.map(tableCell));
      written = cells.length;
      sink.write(`${formatTable(columns, cells, { exact: true })}\n`);
      break;
    }
    case "csv":
      sink.write(`${columns.map(csvField).join(",")}\r\n`);
      for (const row of limited.rows) {
        sink.write(`${row.map((value) => csvField(plain(value))).join(",")}\r\n`);
        written++;
      }
      break;
    case "json":
      sink.write("[");
      for (const row of limited.rows) {
        sink.write(`${written === 0 ? "\n" : ",\n"}${JSON.stringify(asObject(columns, row))}`);
        written++;
      }
      sink.write(written === 0 ? "]\n" : "\n]\n");
      break;
    case "ndjson":
      for (const row of limited.rows) {
        sink.write(`${JSON.stringify(asObject(columns, row))}\n`);
        written++;
      }
      break;
  }
  return { written, truncated: limited.truncated() };
}

function take(
  rows: Iterable<QueryValue[]>,
  limit: number,
): { rows: Iterable<QueryValue[]>; truncated: () => boolean } {
  let truncated = false;
  const iterator = rows[Symbol.iterator]();
  function* limitedRows(): Generator<QueryValue[]> {
    let count = 0;
    for (;;) {
      const next = iterator.next();
      if (next.done === true) return;
      if (limit > 0 && count === limit) {
        truncated = true;
        iterator.return?.();
        return;
      }
      count++;
      yield next.value;
    }
  }
  return { rows: limitedRows(), truncated: () => truncated };
}

function tableCell(value: QueryValue): Cell {
  if (value === null) return "NULL";
  if (typeof value === "number") return value;
  return plain(value) ?? "NULL";
}

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

function asObject(columns: readonly string[], row: readonly QueryValue[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  columns.forEach((column, index) => {
    const value = row[index] ?? null;
    object[column] = typeof value === "bigint" || Buffer.isBuffer(value) ? plain(value) : value;
  });
  return object;
}

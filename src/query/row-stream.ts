import { StackhouseError } from "../errors.js";
import type { QueryValue } from "./read-only-query.js";

/** Rows as they travel from a query to the output: a few at a time, never the whole result. */
export type RowBatch = readonly (readonly QueryValue[])[];

/**
 * A running query: its column names, known before any row, and its rows in batches. The rows
 * are read only as the output takes them; `return()` on the iterator stops the query.
 */
export interface RowStream {
  readonly columns: readonly string[];
  readonly batches: AsyncIterableIterator<RowBatch>;
}

/**
 * The most a row may hold, summed over its cells (bytes of a blob, characters of a text). A row is
 * rendered whole (a blob as hex, twice its size), and 64 MiB keeps that far inside what one
 * JavaScript string can hold, however many rows follow.
 */
export const MAX_ROW_BYTES = 64 * 1024 * 1024;

/** Size of one cell, as counted against {@link MAX_ROW_BYTES}. */
function cellSize(value: QueryValue): number {
  if (typeof value === "string" || Buffer.isBuffer(value)) return value.length;
  return 8;
}

/**
 * A row's size, refusing one over {@link MAX_ROW_BYTES} with a one-line error naming the row and
 * its biggest column, instead of failing later in the middle of rendering it.
 *
 * @example
 * const bytes = checkedRowSize(["id", "body"], [1, "text"], 1); // 12
 */
export function checkedRowSize(
  columns: readonly string[],
  row: readonly QueryValue[],
  rowNumber: number,
): number {
  let total = 0;
  let biggest = 0;
  let biggestSize = -1;
  row.forEach((value, index) => {
    const size = cellSize(value);
    total += size;
    if (size > biggestSize) [biggest, biggestSize] = [index, size];
  });
  if (total <= MAX_ROW_BYTES) return total;
  const unit = typeof row[biggest] === "string" ? "characters" : "bytes";
  throw new StackhouseError(
    "QUERY_FAILED",
    `row ${rowNumber}, column ${columns[biggest] ?? String(biggest + 1)} holds a value of ${biggestSize} ${unit}, more than query output takes (64 MiB a row); select a part of it, e.g. with substr() or length()`,
  );
}

import { printable } from "../cli/printable.js";
import type { QueryValue } from "./read-only-query.js";
import type { RowBatch } from "./row-stream.js";

/** Turns batches of rows into output text (or bytes), a batch at a time. */
export interface RowRenderer {
  /** Text before the first row: written once the query has produced its first rows. */
  start(): string | Uint8Array;
  rows(rows: RowBatch): string | Uint8Array;
  /** Text after the last row. */
  end(): string | Uint8Array;
  /** Rows held back for layout, when the query fails after them (not the text after the last row). */
  held?(): string;
}

/** Rows whose widths set the table's columns; later rows are padded to them. */
const BLOCK_ROWS = 1000;
/** A first block holding more text than this is laid out early, to keep memory flat. */
const BLOCK_CHARS = 4 * 1024 * 1024;
/** No column is padded wider than this: a longer value is printed whole, past its column. */
const MAX_WIDTH = 1000;

/**
 * The aligned text table of `stackhouse query --format table`, streamed: the column widths come
 * from the header and the first block of rows (up to 1000), and every later row is padded to
 * them, so any number of rows prints in flat memory. Numbers are right-aligned, NULL is spelled
 * out, a blob is `x'hex'`.
 *
 * @example
 * const table = tableRenderer(["id", "title"]);
 * const text = table.start() + table.rows([[1, "Pinning images"]]) + table.end();
 */
export function tableRenderer(columns: readonly string[]): RowRenderer {
  let block: string[][] | undefined = [];
  let blockChars = 0;
  const numeric = columns.map(() => false);
  const widths = columns.map((title) => Math.min(title.length, MAX_WIDTH));

  const line = (cells: readonly string[]): string =>
    `${cells
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return numeric[column] === true ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd()}\n`;

  const layOut = (rows: readonly string[][]): string => {
    for (const cells of rows) {
      cells.forEach((cell, column) => {
        widths[column] = Math.min(Math.max(widths[column] ?? 0, cell.length), MAX_WIDTH);
      });
    }
    block = undefined;
    const rule = widths.map((width) => "-".repeat(width));
    return [line(columns), line(rule), ...rows.map(line)].join("");
  };

  return {
    start: () => "",
    rows(rows) {
      const cells = rows.map((row) => row.map(cellText));
      if (block === undefined) return cells.map(line).join("");
      rows.forEach((row) => {
        row.forEach((value, column) => {
          if (typeof value === "number" || typeof value === "bigint") numeric[column] = true;
        });
      });
      for (const row of cells) {
        block.push(row);
        for (const cell of row) blockChars += cell.length;
      }
      return block.length >= BLOCK_ROWS || blockChars >= BLOCK_CHARS ? layOut(block) : "";
    },
    end: () => (block === undefined ? "" : layOut(block)),
    held: () => (block === undefined || block.length === 0 ? "" : layOut(block)),
  };
}

/** A cell as the terminal shows it: text escaped, so a value cannot move the cursor or forge a line. */
function cellText(value: QueryValue): string {
  if (value === null) return "NULL";
  if (Buffer.isBuffer(value)) return `x'${value.toString("hex")}'`;
  return typeof value === "string" ? printable(value, Infinity) : String(value);
}

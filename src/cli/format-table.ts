/** A value in a printed table; numbers are right-aligned. */
export type Cell = string | number | null;

/**
 * Renders rows as a plain aligned text table with a header line, for terminals and logs. Numbers
 * are right-aligned and, unless `exact`, fractions are shown to two decimals.
 *
 * @example
 * formatTable(["file", "read"], [["Votes.json", 40299]]);
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly Cell[])[],
  options: { readonly exact?: boolean } = {},
): string {
  const render = options.exact === true ? exactCell : renderCell;
  const text = rows.map((row) => row.map(render));
  const widths = header.map((title, column) =>
    text.reduce((width, row) => Math.max(width, (row[column] ?? "").length), title.length),
  );
  const numeric = header.map((_, column) => rows.some((row) => typeof row[column] === "number"));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return numeric[column] === true ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...text.map(line)].join(
    "\n",
  );
}

/** Numbers as they are, for query results. */
function exactCell(cell: Cell): string {
  return cell === null ? "" : String(cell);
}

/** Fractions to two decimals, for summaries. */
function renderCell(cell: Cell): string {
  if (cell === null) return "";
  if (typeof cell === "number" && !Number.isInteger(cell)) return cell.toFixed(2);
  return String(cell);
}

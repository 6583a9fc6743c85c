import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import { StackhouseError } from "../errors.js";
import type { QueryValue } from "./read-only-query.js";
import type { RowBatch } from "./row-stream.js";
import type { RowRenderer } from "./table-rows.js";

/** Rows gathered into one row group: few enough to keep memory flat, enough for fast reads. */
const ROW_GROUP_ROWS = 20_000;
/** A row group is written early once its values hold this much text or blob. */
const ROW_GROUP_BYTES = 32 * 1024 * 1024;

type ParquetType = "INT64" | "DOUBLE" | "STRING" | "BLOB";

const SCHEMA_ELEMENTS = {
  INT64: { type: "INT64" },
  DOUBLE: { type: "DOUBLE" },
  STRING: { type: "BYTE_ARRAY", converted_type: "UTF8" },
  BLOB: { type: "BYTE_ARRAY" },
} as const;

const TYPE_NAMES: Record<ParquetType, string> = {
  INT64: "integers",
  DOUBLE: "real numbers",
  STRING: "text",
  BLOB: "blobs",
};

/**
 * Renders rows as a Parquet file (snappy-compressed, one row group per 20,000 rows), readable by
 * pandas, polars and DuckDB. Its rows must hold every integer as a bigint (`exactIntegers`), so a
 * real number, whole or not, is a number. A column's type comes from its first row group's values:
 * integers (INT64, exact beyond 2^53), real numbers (DOUBLE; integers among them too), text
 * (UTF-8), blobs; a column of NULLs only is text. A later value that does not fit its column is
 * refused with the row and column, never converted.
 *
 * @example
 * await writeRows("parquet", columns, batches, file, 0);
 */
export function parquetRenderer(columns: readonly string[]): RowRenderer {
  const out = new ByteWriter();
  const chunks: Uint8Array[] = [];
  /** Called by the writer after each row group: the bytes so far leave with the next output. */
  const flush = (): void => {
    chunks.push(new Uint8Array(out.buffer.slice(0, out.index)));
    out.index = 0;
  };
  Object.assign(out, { flush });
  const taken = (): Uint8Array => {
    flush();
    const bytes = Buffer.concat(chunks);
    chunks.length = 0;
    return bytes;
  };
  let writer: ParquetWriter | undefined;
  let types: ParquetType[] = [];
  let pending: (readonly QueryValue[])[] = [];
  let pendingBytes = 0;
  let rowsWritten = 0;

  const writeGroup = (): void => {
    if (writer === undefined) {
      types = columns.map((_, index) => typeOf(pending.map((row) => row[index] ?? null)));
      writer = new ParquetWriter({
        writer: out,
        schema: [
          { name: "root", num_children: columns.length },
          ...columns.map((name, index) => ({
            name,
            ...SCHEMA_ELEMENTS[types[index] ?? "STRING"],
            repetition_type: "OPTIONAL" as const,
          })),
        ],
        createdBy: "stackhouse",
      });
    }
    if (pending.length === 0) return;
    const columnData = columns.map((name, index) => ({
      name,
      data: pending.map((row, at) =>
        cell(row[index] ?? null, types[index] ?? "STRING", name, rowsWritten + at + 1),
      ),
    }));
    void writer.write({ columnData, rowGroupSize: pending.length }); // synchronous, as flush is
    rowsWritten += pending.length;
    pending = [];
    pendingBytes = 0;
  };

  return {
    start: () => "",
    rows(rows: RowBatch) {
      for (const row of rows) {
        pending.push(row);
        for (const value of row) {
          if (typeof value === "string" || Buffer.isBuffer(value)) pendingBytes += value.length;
        }
        if (pending.length >= ROW_GROUP_ROWS || pendingBytes >= ROW_GROUP_BYTES) writeGroup();
      }
      return taken();
    },
    end() {
      writeGroup();
      void writer?.finish(); // synchronous: the flush above returns nothing to wait for
      return taken();
    },
  };
}

function typeOf(values: readonly QueryValue[]): ParquetType {
  const present = values.filter((value) => value !== null);
  if (present.length === 0) return "STRING";
  if (present.every((value) => typeof value === "number" || typeof value === "bigint")) {
    return present.every((value) => typeof value === "bigint") ? "INT64" : "DOUBLE";
  }
  if (present.every((value) => typeof value === "string")) return "STRING";
  if (present.every((value) => Buffer.isBuffer(value))) return "BLOB";
  return "STRING";
}

/** A value as its column's type takes it, or the error that it does not fit. */
function cell(value: QueryValue, type: ParquetType, column: string, row: number): unknown {
  if (value === null) return null;
  if (type === "INT64" && typeof value === "bigint") return value;
  if (type === "DOUBLE" && (typeof value === "number" || typeof value === "bigint")) {
    return Number(value);
  }
  if (type === "STRING" && typeof value === "string") return value;
  if (type === "BLOB" && Buffer.isBuffer(value)) return value;
  const found =
    typeof value === "string" ? "text" : Buffer.isBuffer(value) ? "a blob" : String(value);
  throw new StackhouseError(
    "QUERY_FAILED",
    `row ${row}, column ${column}: ${found} does not fit a Parquet column of ${TYPE_NAMES[type]} (its type comes from its first rows); CAST the column to one type`,
  );
}

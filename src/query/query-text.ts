import { closeSync, openSync, readSync } from "node:fs";
import { StackhouseError } from "../errors.js";

/**
 * Whether a statement's first keyword, after any comments, whitespace and opening parentheses,
 * is one of `keywords`: the one reading of a statement's start, for every rule that needs it.
 *
 * @example
 * startsWith("-- weekly\nSELECT 1", ["SELECT", "WITH"]); // true
 */
export function startsWith(sql: string, keywords: readonly string[]): boolean {
  const lead = String.raw`^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*`;
  return new RegExp(`${lead}(?:${keywords.join("|")})\\b`, "i").test(sql);
}

/** The longest SQL text `query` takes: far beyond any hand-written query, far below a memory risk. */
export const MAX_SQL_BYTES = 1024 * 1024;

/**
 * The query's text, from the argument or from `--file`. The file is read at most one byte past
 * {@link MAX_SQL_BYTES}, so an endless one (`/dev/zero`, a FIFO that never closes its writes)
 * is refused without reading it all.
 *
 * @example
 * const sql = querySource(undefined, "weekly.sql");
 */
export function querySource(sql: string | undefined, file: string | undefined): string {
  if (sql === undefined && file === undefined) {
    throw new StackhouseError("USAGE", "give the query as an argument or with --file");
  }
  if (sql !== undefined && file !== undefined) {
    throw new StackhouseError("USAGE", "give the query as an argument or with --file, not both");
  }
  const text = file === undefined ? (sql ?? "") : readBounded(file);
  if (Buffer.byteLength(text) > MAX_SQL_BYTES) throw tooLong(file ?? "the query");
  return text;
}

function readBounded(file: string): string {
  const buffer = Buffer.alloc(MAX_SQL_BYTES + 1);
  let length = 0;
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length === buffer.length) throw tooLong(file);
    }
  } catch (error) {
    if (error instanceof StackhouseError) throw error;
    const code = (error as { code?: unknown }).code;
    throw new StackhouseError(
      "USAGE",
      `${file}: cannot read the query file${typeof code === "string" ? ` (${code})` : ""}`,
      { cause: error },
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return buffer.toString("utf8", 0, length);
}

function tooLong(name: string): StackhouseError {
  return new StackhouseError(
    "USAGE",
    `${name}: the query is longer than ${String(MAX_SQL_BYTES)} bytes (1 MiB), more than stackhouse takes; is this the right file?`,
  );
}

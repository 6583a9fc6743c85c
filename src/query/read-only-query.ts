import type { Database, Statement } from "better-sqlite3";
import { StackhouseError } from "../errors.js";
import { startsWith } from "./query-text.js";

/** A cell as it leaves the warehouse: integers beyond 2^53 stay exact as bigint. */
export type QueryValue = string | number | bigint | Buffer | null;

/** A query ready to read: its column names and a cursor over its rows. */
export interface ReadQuery {
  readonly columns: readonly string[];
  readonly rows: IterableIterator<QueryValue[]>;
}

/**
 * Prepares a statement that may only read. Anything that writes, or returns no rows, is refused
 * before it runs; the connection itself is read-only too, so this is a clear message, not the
 * only guard.
 *
 * @example
 * const { columns, rows } = prepareReadQuery(db, "SELECT * FROM weekly_votes");
 */
export function prepareReadQuery(db: Database, sql: string, exactIntegers = false): ReadQuery {
  let statement: Statement;
  try {
    statement = db.prepare(sql);
  } catch (error) {
    // A write SQLite cannot even prepare (to a view such as `posts`, say) is refused all the same.
    if (
      startsWith(sql, WRITE_KEYWORDS) ||
      (error instanceof Error && WRITES_TO_A_VIEW.test(error.message))
    ) {
      throw readsOnly();
    }
    throw queryError(error);
  }
  if (!statement.reader || !statement.readonly) throw readsOnly();
  statement.raw(true).safeIntegers(true);
  const columns = statement.columns().map((column) => column.name);
  return { columns, rows: readRows(statement, exactIntegers) };
}

/** Keywords that start only statements that write. */
const WRITE_KEYWORDS = [
  "INSERT",
  "UPDATE",
  "DELETE",
  "REPLACE",
  "CREATE",
  "DROP",
  "ALTER",
  "ATTACH",
  "DETACH",
  "VACUUM",
  "REINDEX",
  "ANALYZE",
];
/** What SQLite says of a `WITH ... DELETE` (or UPDATE, INSERT) on a view. */
const WRITES_TO_A_VIEW = /^cannot modify \S+ because it is a view$/;

function readsOnly(): StackhouseError {
  return new StackhouseError(
    "QUERY_FAILED",
    "only queries that read are allowed (SELECT, WITH ... SELECT, VALUES); this statement would change the warehouse or returns nothing",
  );
}

/**
 * The rows, read only when asked for; stopping early (or failing) releases the statement. With
 * `exactIntegers`, every INTEGER stays a bigint, so a REAL is told by being a number.
 */
function* readRows(statement: Statement, exactIntegers: boolean): IterableIterator<QueryValue[]> {
  try {
    for (const row of statement.iterate() as IterableIterator<QueryValue[]>) {
      yield exactIntegers ? row : row.map(narrow);
    }
  } catch (error) {
    throw queryError(error);
  }
}

/** Turns safe bigints back into numbers, so output shows `42`, not `42n`. */
function narrow(value: QueryValue): QueryValue {
  if (typeof value !== "bigint") return value;
  const safe = value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER);
  return safe ? Number(value) : value;
}

function queryError(error: unknown): unknown {
  if (error instanceof StackhouseError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StackhouseError("QUERY_FAILED", `SQL error: ${message.split("\n")[0] ?? message}`, {
    cause: error,
  });
}

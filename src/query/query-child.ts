/**
 * The process an analyst's SQLite query runs in (see `query-in-child.ts`): better-sqlite3 cannot
 * interrupt a running statement, so a runaway query is stopped by killing this process. It opens
 * the warehouse read-only, sends the column names, then the rows in batches, each only once the
 * parent has room for it.
 */
import { StackhouseError, type ErrorCode } from "../errors.js";
import { openWarehouseReadOnly } from "../warehouse/open-warehouse.js";
import { prepareReadQuery, type QueryValue } from "./read-only-query.js";
import { checkedRowSize } from "./row-stream.js";
import { addSedeViews, withSqlServerHint } from "./sede-views.js";

/** What the parent asks for. */
export interface ChildRequest {
  readonly type: "run";
  readonly db: string;
  readonly sql: string;
  readonly sede: boolean;
  /** Rows wanted (0 for all); one more is read, to tell whether rows were cut. */
  readonly limit: number;
  /** Batches the parent can hold before it asks for more. */
  readonly credits: number;
  /** Every INTEGER as a bigint, REALs as numbers (for Parquet's column types). */
  readonly exactIntegers: boolean;
}

/** What the child sends back. */
export type ChildMessage =
  | { readonly type: "columns"; readonly columns: readonly string[] }
  | { readonly type: "rows"; readonly rows: readonly (readonly QueryValue[])[] }
  | { readonly type: "done" }
  | {
      readonly type: "error";
      readonly code: ErrorCode | undefined;
      readonly message: string;
      readonly stack: string | undefined;
    };

/** A batch goes out at this many rows or bytes, or when this long has passed since the last. */
const BATCH_ROWS = 1000;
const BATCH_BYTES = 1024 * 1024;
const BATCH_MS = 100;

let credits = 0;
let wake: (() => void) | undefined;

/** Resolves once the message is handed to the channel, so nothing is lost when it closes. */
function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else
      process.send(message, undefined, {}, () => {
        resolve();
      });
  });
}

async function sendRows(rows: QueryValue[][]): Promise<void> {
  while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
  credits--;
  // Waiting for the write hands the batch to the channel now, while the next one is read.
  await send({ type: "rows", rows });
}

async function run(request: ChildRequest): Promise<void> {
  credits = request.credits;
  const db = openWarehouseReadOnly(request.db);
  try {
    if (request.sede) addSedeViews(db);
    const { columns, rows } = prepareReadQuery(db, request.sql, request.exactIntegers);
    void send({ type: "columns", columns });
    let batch: QueryValue[][] = [];
    let bytes = 0;
    let sentAt = performance.now();
    let count = 0;
    try {
      for (const row of rows) {
        count++;
        bytes += checkedRowSize(columns, row, count);
        batch.push(row);
        const last = request.limit > 0 && count > request.limit;
        if (last) break;
        if (
          batch.length >= BATCH_ROWS ||
          bytes >= BATCH_BYTES ||
          performance.now() - sentAt >= BATCH_MS
        ) {
          await sendRows(batch);
          [batch, bytes, sentAt] = [[], 0, performance.now()];
        }
      }
    } finally {
      // The rows read before a failure go out ahead of its error.
      if (batch.length > 0) await sendRows(batch);
    }
    await send({ type: "done" });
  } finally {
    db.close();
  }
}

process.on("message", (message: ChildRequest | { readonly type: "more" }) => {
  if (message.type === "more") {
    credits++;
    wake?.();
    return;
  }
  run(message)
    .catch(async (thrown: unknown) => {
      // A failed SEDE query is told how SQLite writes what SQL Server's dialect wrote.
      const error = message.sede ? withSqlServerHint(thrown, message.sql) : thrown;
      await send({
        type: "error",
        code: error instanceof StackhouseError ? error.code : undefined,
        message: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
    })
    .finally(() => {
      process.disconnect();
    });
});

// The parent is gone (it finished early, failed or was stopped): nothing is left to read for.
process.on("disconnect", () => process.exit(0));

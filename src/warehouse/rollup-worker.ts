/**
 * The worker thread of {@link DeferredRollups}: reads the weekly totals of the weeks given from a
 * committed warehouse file, over its own read-only connection, and posts them back.
 */
import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";
import { readWeeklyTotals, type WeeksTouched } from "../load/refresh-weekly-totals.js";

const { path, weeks } = workerData as { readonly path: string; readonly weeks: WeeksTouched };

try {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    parentPort?.postMessage({ totals: readWeeklyTotals(db, weeks) });
  } finally {
    db.close();
  }
} catch (error) {
  parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
}

import type { Database } from "better-sqlite3";
import { LandingArchive } from "../archive/landing-archive.js";
import { realWarehousePath } from "../archive/warehouse-paths.js";
import { StackhouseError } from "../errors.js";
import {
  asWarehouseError,
  finishScratchWarehouse,
  openScratchWarehouse,
  openWarehouse,
} from "../warehouse/open-warehouse.js";
import type { ProgressListener } from "./progress.js";
import { reconcileArchive } from "./reconcile-archive.js";
import { replayArchive, type ReplayReport } from "./replay-archive.js";
import { acquireRunLock } from "./run-lock.js";
import {
  isMissingOrEmptyFile,
  removeDatabase,
  replaceDatabase,
  scratchPathFor,
} from "./warehouse-file.js";
import { adoptHistoryId, readHistoryId } from "../warehouse/history-id.js";
import { LoadsLog } from "../warehouse/loads-log.js";

/**
 * Re-creates the warehouse from its landing archive alone, replaying every committed delivery in
 * arrival order, and swaps it in for the current warehouse only once it is complete.
 *
 * @example
 * const report = await rebuild({ warehouse: "warehouse.db" });
 */
export async function rebuild(options: {
  readonly warehouse: string;
  readonly progress?: ProgressListener;
}): Promise<ReplayReport> {
  const warehouse = realWarehousePath(options.warehouse);
  const lock = await acquireRunLock(warehouse);
  try {
    return await rebuildLocked({ ...options, warehouse });
  } catch (error) {
    throw asWarehouseError(options.warehouse, error);
  } finally {
    lock.release();
  }
}

async function rebuildLocked(options: {
  readonly warehouse: string;
  readonly progress?: ProgressListener;
}): Promise<ReplayReport> {
  const archive = LandingArchive.beside(options.warehouse);
  await archive.clearScratch();
  if (!isMissingOrEmptyFile(options.warehouse)) {
    const current = openWarehouse(options.warehouse);
    try {
      const { history } = archive.read();
      const own = readHistoryId(current);
      if (history !== undefined && history.id !== own && new LoadsLog(current).lastRun() > 0) {
        throw new StackhouseError(
          "ARCHIVE",
          `${archive.dir}: this landing archive belongs to another warehouse's history (${history.id}), not to ${options.warehouse} (${own}); nothing was changed`,
        );
      }
      reconcileArchive(archive, current, false);
    } finally {
      current.close();
    }
  }
  const state = archive.read();
  if (state.committed.length === 0) {
    throw new StackhouseError(
      "ARCHIVE",
      `${archive.dir}: no archived deliveries to rebuild ${options.warehouse} from`,
    );
  }
  const workPath = scratchPathFor(options.warehouse);
  await removeDatabase(workPath);
  let db: Database | undefined;
  try {
    db = openScratchWarehouse(workPath);
    if (state.history !== undefined) adoptHistoryId(db, state.history.id);
    const report = await replayArchive(db, archive, state, options.progress);
    finishScratchWarehouse(db);
    db = undefined;
    await replaceDatabase(workPath, options.warehouse);
    return report;
  } catch (error) {
    db?.close();
    await removeDatabase(workPath);
    throw error;
  }
}

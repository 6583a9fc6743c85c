import type { Database } from "better-sqlite3";
import type { LandingArchive } from "../archive/landing-archive.js";
import type { ManifestState } from "../archive/manifest.js";
import { LoadsLog } from "../warehouse/loads-log.js";

/**
 * Settles runs the archive lists but never marked, after an interrupted run: committed when the
 * warehouse has them, aborted otherwise. Returns the manifest as it then stands.
 *
 * @param warehouseIsNew the warehouse is being created, so no listed run can be in it
 */
export function reconcileArchive(
  archive: LandingArchive,
  db: Database,
  warehouseIsNew: boolean,
): ManifestState {
  const state = archive.read();
  if (state.pending.length === 0) return state;
  const log = new LoadsLog(db);
  for (const run of state.pending) {
    if (!warehouseIsNew && log.containsRun(run)) archive.markCommitted(run);
    else archive.markAborted(run);
  }
  return archive.read();
}

import type { LandingArchive } from "../archive/landing-archive.js";
import type { ManifestState } from "../archive/manifest.js";
import type { Warehouse } from "../warehouse/warehouse.js";

/**
 * Settles runs the archive lists but never marked, after an interrupted run: committed when the
 * warehouse has them, aborted otherwise. Returns the manifest as it then stands.
 *
 * @param warehouseIsNew the warehouse is being created, so no listed run can be in it
 */
export async function reconcileArchive(
  archive: LandingArchive,
  warehouse: Warehouse,
  warehouseIsNew: boolean,
): Promise<ManifestState> {
  const state = archive.read();
  if (state.pending.length === 0) return state;
  const runs = new Set(warehouseIsNew ? [] : await warehouse.runs());
  for (const run of state.pending) {
    if (runs.has(run)) archive.markCommitted(run);
    else archive.markAborted(run);
  }
  return archive.read();
}

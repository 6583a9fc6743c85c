import { StackhouseError } from "../errors.js";
import type { Destination, Warehouse } from "../warehouse/warehouse.js";
import { underLock } from "./ingest.js";
import type { ProgressListener } from "./progress.js";
import { reconcileArchive } from "./reconcile-archive.js";
import { replayArchive, type ReplayReport } from "./replay-archive.js";

/**
 * Re-creates the warehouse from its landing archive alone, replaying every committed delivery in
 * arrival order, and swaps it in for the current warehouse only once it is complete.
 *
 * @example
 * const report = await rebuild({ warehouse: "warehouse.db" });
 */
export async function rebuild(options: {
  /** A SQLite warehouse file's path, or any destination. */
  readonly warehouse: string | Destination;
  readonly progress?: ProgressListener;
}): Promise<ReplayReport> {
  return underLock(options.warehouse, undefined, (destination) =>
    rebuildLocked(destination, options.progress),
  );
}

async function rebuildLocked(
  destination: Destination,
  progress: ProgressListener | undefined,
): Promise<ReplayReport> {
  const { archive } = destination;
  await archive.clearScratch();
  const missing = await destination.isMissing();
  // A warehouse that is there, or not whole (a ClickHouse server lost its tables) but with its
  // history readable where it survives, is held to the archive before it is replaced.
  const current = !missing
    ? await destination.open()
    : (await destination.refuseToCreate?.()) === undefined
      ? undefined
      : await survivingPart(destination);
  if (current !== undefined) {
    try {
      const { history } = archive.read();
      const own = await current.historyId();
      const runs = await current.runs();
      if (history !== undefined && history.id !== own && runs.length > 0) {
        throw new StackhouseError(
          "ARCHIVE",
          `${archive.dir}: this landing archive belongs to another warehouse's history (${history.id}), not to ${destination.name} (${own}); nothing was changed`,
        );
      }
      await reconcileArchive(archive, current, false);
    } finally {
      await current.close();
    }
  }
  const state = archive.read();
  if (state.committed.length === 0) {
    throw new StackhouseError(
      "ARCHIVE",
      `${archive.dir}: no archived deliveries to rebuild ${destination.name} from${destination.otherArchive === undefined ? "" : `; ${destination.otherArchive}`}`,
    );
  }
  let scratch: Warehouse | undefined;
  try {
    scratch = await destination.openScratch();
    if (state.history !== undefined) await scratch.adoptHistoryId(state.history.id);
    const report = await replayArchive(scratch, archive, state, progress);
    await destination.swapIn(scratch);
    return report;
  } catch (error) {
    await destination.discardScratch(scratch);
    throw error;
  }
}

/**
 * The part of a warehouse that is not whole which still holds its history and runs, read-only;
 * undefined when that part is what was lost.
 */
async function survivingPart(destination: Destination): Promise<Warehouse | undefined> {
  let warehouse: Warehouse | undefined;
  try {
    warehouse = await destination.openForReading();
    await warehouse.runs();
    return warehouse;
  } catch {
    await warehouse?.close();
    return undefined;
  }
}

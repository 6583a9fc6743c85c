import type { HistoryMark } from "../archive/manifest.js";
import { StackhouseError } from "../errors.js";
import type { Destination, Warehouse } from "../warehouse/warehouse.js";

/** How a run treats a warehouse whose archive is missing. */
export interface BindOptions {
  /** The warehouse file did not exist: it is being created (from the archive, if any). */
  readonly created: boolean;
  /** Start a new archive for a warehouse whose archive is gone (`--new-history`). */
  readonly newHistory?: boolean;
}

/**
 * Checks that a warehouse and the landing archive found beside it belong to each other before a
 * run writes either, and says which history mark the run's publication must write (undefined when
 * the archive already has it). A warehouse being created takes the archive's history id.
 *
 * Refused, with the command that fixes it: an archive of another warehouse; a warehouse with
 * history whose archive is gone (unless `newHistory`); a warehouse with no loads beside an
 * archive with runs (`rebuild`); a warehouse that lacks committed runs its archive holds.
 *
 * @example
 * const mark = await bindArchive(destination, warehouse, { created: false });
 */
export async function bindArchive(
  destination: Destination,
  db: Warehouse,
  options: BindOptions,
): Promise<HistoryMark | undefined> {
  const { archive } = destination;
  const state = archive.read();
  const warehouse = destination.name;
  const runs = await db.runs();
  const ownId = await db.historyId();
  const lastRun = runs.at(-1) ?? 0;
  const archived = new Set([...state.committed.map(({ run }) => run), ...state.pending]);
  const since = state.history?.run ?? 0;
  const unarchived = options.created ? [] : runs.filter((run) => run > since && !archived.has(run));
  if (options.newHistory === true && unarchived.length === 0) {
    throw new StackhouseError(
      "USAGE",
      `--new-history: ${archive.dir} holds every run of ${warehouse}; leave the option out`,
    );
  }
  if (state.history !== undefined && state.history.id !== ownId) {
    if (options.created || (lastRun === 0 && state.committed.length === 0)) {
      await db.adoptHistoryId(state.history.id);
      return undefined;
    }
    throw new StackhouseError(
      "ARCHIVE",
      `${archive.dir}: this landing archive belongs to another warehouse's history (${state.history.id}), not to ${warehouse} (${ownId}); give the right warehouse, or move the folder away`,
    );
  }
  if (options.created) return state.history === undefined ? { id: ownId, run: 0 } : undefined;
  if (lastRun === 0 && state.committed.length > 0) {
    throw new StackhouseError(
      "ARCHIVE",
      `${warehouse}: the warehouse is empty but its landing archive ${archive.dir} holds ${String(state.committed.length)} run(s); re-create it from them with: stackhouse rebuild ${destination.option}`,
    );
  }
  if (unarchived.length > 0) {
    if (options.newHistory === true) return { id: ownId, run: lastRun };
    const where = archive.exists() ? "lacks them" : "is missing";
    throw new StackhouseError(
      "ARCHIVE",
      `${warehouse}: holds run(s) ${listRuns(unarchived)} but its landing archive ${archive.dir} ${where}; restore that folder${destination.otherArchive === undefined ? "" : ` (${destination.otherArchive})`}, or start a new archive from this run on with --new-history (a re-creation would then lack runs 1-${String(lastRun)})`,
    );
  }
  const missing = state.committed.filter(({ run }) => !runs.includes(run)).map(({ run }) => run);
  if (missing.length > 0) {
    throw new StackhouseError(
      "ARCHIVE",
      `${warehouse}: lacks run(s) ${missing.join(", ")} that its landing archive ${archive.dir} holds (an older copy of the warehouse?); re-create it with: stackhouse rebuild ${destination.option}`,
    );
  }
  return state.history === undefined ? { id: ownId, run: 0 } : undefined;
}

/**
 * Run numbers for a message: the first ten, then how many in all.
 *
 * @example
 * listRuns([1, 2, 3]); // "1, 2, 3"
 */
export function listRuns(runs: readonly number[]): string {
  const shown = runs.slice(0, 10).join(", ");
  return runs.length > 10 ? `${shown}, … (${String(runs.length)} runs)` : shown;
}

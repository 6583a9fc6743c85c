import type { Database } from "better-sqlite3";
import type { LandingArchive, ManifestState } from "../archive/landing-archive.js";
import { StackhouseError } from "../errors.js";
import { inspectDelivery } from "../extract/read-delivery.js";
import { loadFile, type FileReport } from "../load/load-file.js";
import { refreshWeeklyTotals } from "../load/refresh-weekly-totals.js";
import { SqliteMerger } from "../load/sqlite-merger.js";
import { LoadsLog } from "../warehouse/loads-log.js";
import { rollbackAfterError } from "../warehouse/open-warehouse.js";
import type { ProgressListener } from "./progress.js";

/** What replaying the landing archive did. */
export interface ReplayReport {
  readonly runs: number;
  readonly files: readonly FileReport[];
  /** The last run before the archive began: runs up to it are not in it (`--new-history`). */
  readonly startsAfterRun: number;
}

/**
 * Re-creates a warehouse's history by loading every committed run of the landing archive, in
 * arrival order, each in its own transaction with its original run id and arrival time. Each
 * archived object's content is checked against the sha256 it was archived under.
 *
 * @example
 * const report = await replayArchive(db, archive, archive.read());
 */
export async function replayArchive(
  db: Database,
  archive: LandingArchive,
  state: ManifestState,
  progress: ProgressListener = {},
): Promise<ReplayReport> {
  const merger = new SqliteMerger(db);
  const log = new LoadsLog(db);
  const files: FileReport[] = [];
  for (const run of state.committed) {
    db.exec("BEGIN IMMEDIATE");
    try {
      for (const archived of run.files) {
        const objectPath = archive.objectPath(archived.sha256);
        const status = await archive.verify(archived);
        if (status !== "ok") {
          const problem =
            status === "missing"
              ? "is missing"
              : "is damaged: its content no longer matches its sha256";
          throw new StackhouseError(
            "ARCHIVE",
            `${objectPath}: archived copy of ${archived.sourcePath} (run ${archived.run}) ${problem}`,
          );
        }
        const object = await inspectDelivery(objectPath).catch((error: unknown) => {
          throw new StackhouseError(
            "ARCHIVE",
            `${objectPath}: archived copy of ${archived.sourcePath} (run ${archived.run}) is missing or unreadable`,
            { cause: error },
          );
        });
        progress.fileStarted?.(`replay ${archived.kind} (run ${run.run})`, object.sizeBytes);
        const context = {
          merger,
          log,
          runId: run.run,
          source: "archive" as const,
          now: () => new Date(),
          onBytes: progress.bytesRead,
        };
        const identity = { ...archived, sizeBytes: archived.sizeBytes };
        const report = await loadFile(context, object, identity, {
          hashDecoded: archived.stored === "gzip",
        }).catch((error: unknown) => {
          throw new StackhouseError(
            "ARCHIVE",
            `${objectPath}: archived copy of ${archived.sourcePath} (run ${archived.run}) cannot be replayed: ${(error as Error).message}`,
            { cause: error },
          );
        });
        progress.fileFinished?.();
        files.push(report);
      }
      refreshWeeklyTotals(db, merger);
      db.exec("COMMIT");
    } catch (error) {
      rollbackAfterError(db);
      throw error;
    }
  }
  return { runs: state.committed.length, files, startsAfterRun: state.history?.run ?? 0 };
}

import type { LandingArchive } from "../archive/landing-archive.js";
import type { ArchivedFile, ManifestState, RecordedCounts } from "../archive/manifest.js";
import { StackhouseError } from "../errors.js";
import { inspectDelivery, type DeliveryFile } from "../extract/read-delivery.js";
import { sevenZipMembers } from "../extract/seven-zip.js";
import { loadFile, type FileReport } from "../load/load-file.js";
import { Merger } from "../load/merger.js";
import type { DeliveryKind } from "../model/kinds.js";
import { RULES_VERSION } from "../validate/rules-version.js";
import type { Warehouse } from "../warehouse/warehouse.js";
import type { ProgressListener } from "./progress.js";

/** What replaying the landing archive did. */
export interface ReplayReport {
  readonly runs: number;
  readonly files: readonly FileReport[];
  /** The last run before the archive began: runs up to it are not in it (`--new-history`). */
  readonly startsAfterRun: number;
  /** Loads whose counts differ now from those recorded when they were first loaded. */
  readonly drift: readonly CountsChange[];
  /** Runs archived without their counts (by an older stackhouse): they cannot be compared. */
  readonly unrecorded: readonly number[];
}

/** A load that a replay counted differently from its first load, and the rules of each. */
export interface CountsChange {
  readonly run: number;
  readonly kind: DeliveryKind;
  readonly path: string;
  /** Each count that changed, as `rejected 0 → 1`. */
  readonly changed: readonly string[];
  readonly rules: { readonly then: number; readonly now: number };
}

/**
 * Re-creates a warehouse's history by loading every committed run of the landing archive, in
 * arrival order, each in its own transaction with its original run id and arrival time. Each
 * archived object's content is checked against the sha256 it was archived under.
 *
 * @example
 * const report = await replayArchive(warehouse, archive, archive.read());
 */
export async function replayArchive(
  warehouse: Warehouse,
  archive: LandingArchive,
  state: ManifestState,
  progress: ProgressListener = {},
): Promise<ReplayReport> {
  const merger = new Merger(warehouse);
  const files: FileReport[] = [];
  const drift: CountsChange[] = [];
  for (const run of state.committed) {
    await warehouse.begin();
    try {
      for (const archived of run.files) {
        const objectPath = archive.objectPath(archived.sha256);
        const copy = `${objectPath}: archived copy of ${archived.sourcePath} (run ${archived.run})`;
        const object = await archivedDelivery(objectPath, archived.member).catch(
          (error: unknown) => {
            throw new StackhouseError("ARCHIVE", `${copy} is missing or unreadable`, {
              cause: error,
            });
          },
        );
        progress.fileStarted?.(`replay ${archived.kind} (run ${run.run})`, object.sizeBytes);
        const context = {
          warehouse,
          merger,
          runId: run.run,
          source: "archive" as const,
          now: () => new Date(),
          onBytes: progress.bytesRead,
        };
        const identity = { ...archived, delivery: archived.delivery ?? "increment" };
        const report = await loadFile(context, object, identity, {
          hashDecoded: archived.stored === "gzip",
          maxDeletedShare: 1,
          applyStaleSnapshot: true,
        }).catch((error: unknown) => {
          const damaged = (error as { code?: unknown }).code === "INPUT_FILE";
          throw new StackhouseError(
            "ARCHIVE",
            `${copy} ${damaged ? "is damaged" : "cannot be replayed"}: ${(error as Error).message}`,
            { cause: error },
          );
        });
        progress.fileFinished?.();
        files.push(report);
        const change = countsChange(archived, report);
        if (change !== undefined) drift.push(change);
      }
      await refreshRollups(warehouse, merger);
      await warehouse.commit();
    } catch (error) {
      await warehouse.rollback().catch(() => undefined);
      throw error;
    }
  }
  const unrecorded = state.committed
    .filter((run) => run.files.some((file) => file.recorded === undefined))
    .map(({ run }) => run);
  return {
    runs: state.committed.length,
    files,
    startsAfterRun: state.history?.run ?? 0,
    drift,
    unrecorded,
  };
}

/** An archived object as a delivery: the file itself, or the member of a 7z archive it names. */
async function archivedDelivery(path: string, member: string | undefined): Promise<DeliveryFile> {
  const object = await inspectDelivery(path);
  if (member === undefined) return object;
  const found = (await sevenZipMembers(path)).find((each) => each.name === member);
  if (found === undefined) throw new Error(`it holds no ${member}`);
  return { path, sizeBytes: found.sizeBytes, gzip: false, member };
}

/**
 * Recomputes the weekly rollups of the weeks a run's merges touched.
 *
 * @example
 * await refreshRollups(warehouse, merger);
 */
export async function refreshRollups(warehouse: Warehouse, merger: Merger): Promise<void> {
  const touched = {
    posts: merger.takeTouchedWeeks("posts"),
    votes: merger.takeTouchedWeeks("votes"),
  };
  await warehouse.refreshRollups(touched, new Date());
}

/**
 * The counts the archive keeps of a load: what it did, and under which validation rules.
 *
 * @example
 * archived.push({ ...identity, recorded: recordedCounts(report) });
 */
export function recordedCounts(report: FileReport): RecordedCounts {
  return {
    rulesVersion: RULES_VERSION,
    read: report.read,
    inserted: report.inserted,
    updated: report.updated,
    unchanged: report.unchanged,
    rejected: report.rejected,
    deleted: report.deleted,
    restored: report.restored,
    conflicts: report.conflicts,
  };
}

/** How a replayed load's counts differ from those recorded when it was first loaded, if they do. */
function countsChange(archived: ArchivedFile, report: FileReport): CountsChange | undefined {
  const then = archived.recorded;
  if (then === undefined) return undefined;
  const now = recordedCounts(report);
  const changed = COUNTED.filter((name) => then[name] !== now[name]).map(
    (name) => `${name} ${String(then[name])} → ${String(now[name])}`,
  );
  if (changed.length === 0) return undefined;
  return {
    run: archived.run,
    kind: archived.kind,
    path: archived.sourcePath,
    changed,
    rules: { then: then.rulesVersion, now: RULES_VERSION },
  };
}

const COUNTED = [
  "read",
  "inserted",
  "updated",
  "unchanged",
  "rejected",
  "deleted",
  "restored",
  "conflicts",
] as const;

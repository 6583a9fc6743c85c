import { existsSync } from "node:fs";
import { realWarehousePath } from "../archive/warehouse-paths.js";
import { StackhouseError } from "../errors.js";
import type { Database } from "better-sqlite3";
import { LandingArchive, type Publication, type StagedObject } from "../archive/landing-archive.js";
import type { ArchivedFile, HistoryMark } from "../archive/manifest.js";
import { runChecks, type CheckReport } from "../check/run-checks.js";
import { sha256File } from "../extract/hash-file.js";
import { inputError, inspectDelivery, type DeliveryFile } from "../extract/read-delivery.js";
import { loadFile, type FileReport } from "../load/load-file.js";
import { refreshWeeklyTotals } from "../load/refresh-weekly-totals.js";
import { SqliteMerger } from "../load/sqlite-merger.js";
import type { DeliveryKind } from "../model/kinds.js";
import { DEFAULT_MAX_REJECTED_SHARE } from "../validate/reject-threshold.js";
import { LoadsLog } from "../warehouse/loads-log.js";
import {
  finishScratchWarehouse,
  openScratchWarehouse,
  asWarehouseError,
  openWarehouse,
  rollbackAfterError,
} from "../warehouse/open-warehouse.js";
import type { ProgressListener } from "./progress.js";
import { bindArchive } from "./bind-archive.js";
import { reconcileArchive } from "./reconcile-archive.js";
import { acquireRunLock } from "./run-lock.js";
import { recordedCounts, replayArchive, type ReplayReport } from "./replay-archive.js";
import {
  isMissingOrEmptyFile,
  removeDatabase,
  replaceDatabase,
  scratchPathFor,
} from "./warehouse-file.js";

/** One ingest: a delivery's files and the warehouse they go into. */
export interface IngestOptions {
  /** The warehouse file; created (from the landing archive, if there is one) when missing. */
  readonly warehouse: string;
  readonly posts: string;
  readonly votes: string;
  readonly progress?: ProgressListener;
  /** Share of a file's records that may fail validation before the run is refused (default 5%). */
  readonly maxRejectedShare?: number;
  /** Run the data-quality checks after the load (default true). */
  readonly checks?: boolean;
  /** How long to wait for another run writing the same warehouse (default two minutes). */
  readonly lockTimeoutMs?: number;
  /** The clock, injectable for tests. */
  readonly now?: () => Date;
  /** Start a new landing archive for a warehouse whose archive is gone (`--new-history`). */
  readonly newHistory?: boolean;
  /** The files are full snapshots: records of their kind that they lack are marked deleted. */
  readonly snapshot?: boolean;
  /** Share of a kind's records a full snapshot may delete before the run is refused (5%). */
  readonly maxDeletedShare?: number;
  /** The supplier's control totals: records each file must hold exactly. */
  readonly expectedRecords?: Partial<Record<DeliveryKind, number>>;
}

/** What an ingest did. */
export interface IngestReport {
  readonly runId: number;
  /** True when the warehouse file did not exist before this run. */
  readonly created: boolean;
  /** The archive history replayed first, when the warehouse was missing and an archive existed. */
  readonly replayed: ReplayReport | null;
  readonly files: readonly FileReport[];
  /** The data-quality checks run after the load, unless they were turned off. */
  readonly checks: CheckReport | null;
}

/**
 * Ingests one delivery (a posts file and a votes file) into the warehouse in one transaction:
 * both files land, or neither does and the warehouse and landing archive are as they were.
 *
 * A missing warehouse is first re-created from the landing archive, so deleting the warehouse
 * file never loses history; it is built under a scratch name and renamed into place at the end.
 *
 * @example
 * const report = await ingest({ warehouse: "warehouse.db", posts: "Posts.json", votes: "Votes.json" });
 */
export async function ingest(options: IngestOptions): Promise<IngestReport> {
  const deliveries: readonly (readonly [DeliveryKind, DeliveryFile])[] = [
    ["posts", await inspectDelivery(options.posts)],
    ["votes", await inspectDelivery(options.votes)],
  ];
  const warehouse = realWarehousePath(options.warehouse);
  const lock = await acquireRunLock(warehouse, options.lockTimeoutMs);
  try {
    return await ingestLocked({ ...options, warehouse }, deliveries);
  } catch (error) {
    throw asWarehouseError(options.warehouse, error);
  } finally {
    lock.release();
  }
}

async function ingestLocked(
  options: IngestOptions,
  deliveries: readonly (readonly [DeliveryKind, DeliveryFile])[],
): Promise<IngestReport> {
  const archive = LandingArchive.beside(options.warehouse);
  await archive.clearScratch();
  const created = isMissingOrEmptyFile(options.warehouse);
  if (created && existsSync(options.warehouse) && archive.read().committed.length > 0) {
    throw new StackhouseError(
      "ARCHIVE",
      `${options.warehouse}: the warehouse file is empty (0 bytes) but its landing archive ${archive.dir} holds its history; re-create it with: stackhouse rebuild --db ${options.warehouse}`,
    );
  }
  const workPath = created ? scratchPathFor(options.warehouse) : options.warehouse;
  if (created) await removeDatabase(workPath);

  let db: Database | undefined;
  try {
    db = created ? openScratchWarehouse(workPath) : openWarehouse(workPath);
    const bind = { created, newHistory: options.newHistory };
    const mark = bindArchive(archive, archive.read(), db, options.warehouse, bind);
    const state = reconcileArchive(archive, db, created);
    const replayed =
      created && state.committed.length > 0
        ? await replayArchive(db, archive, state, options.progress)
        : null;
    const runId = Math.max(state.lastRun, new LoadsLog(db).lastRun()) + 1;
    const files = await loadDelivery(db, archive, runId, deliveries, options, mark);
    const now = options.now ?? (() => new Date());
    const checks = options.checks === false ? null : runChecks(db, now(), runId);
    if (created) finishScratchWarehouse(db);
    else db.close();
    db = undefined;
    if (created) await replaceDatabase(workPath, options.warehouse);
    return { runId, created, replayed, files, checks };
  } catch (error) {
    db?.close();
    if (created) await removeDatabase(workPath);
    throw error;
  }
}

async function loadDelivery(
  db: Database,
  archive: LandingArchive,
  runId: number,
  deliveries: readonly (readonly [DeliveryKind, DeliveryFile])[],
  options: IngestOptions,
  mark: HistoryMark | undefined,
): Promise<FileReport[]> {
  const now = options.now ?? (() => new Date());
  const progress = options.progress ?? {};
  const context = {
    db,
    merger: new SqliteMerger(db),
    log: new LoadsLog(db),
    runId,
    source: "delivery" as const,
    now,
    onBytes: progress.bytesRead,
  };
  const arrivedAt = now().toISOString();
  const staging: {
    readonly file: DeliveryFile;
    readonly sha256: string;
    readonly copy: Promise<StagedObject>;
  }[] = [];
  const archived: ArchivedFile[] = [];
  const reports: FileReport[] = [];

  let publication: Publication | undefined;
  db.exec("BEGIN IMMEDIATE");
  try {
    for (const [kind, file] of deliveries) {
      progress.fileStarted?.(`${kind} ${file.path}`, file.sizeBytes);
      const sha256 = await sha256File(file.path);
      const identity = {
        kind,
        sourcePath: file.path,
        sizeBytes: file.sizeBytes,
        sha256,
        arrivedAt,
        delivery: options.snapshot === true ? ("snapshot" as const) : ("increment" as const),
      };
      if (context.log.previousLoad(sha256, kind, identity.delivery) === undefined) {
        const copy = archive.stage(file);
        copy.catch(() => undefined);
        staging.push({ file, sha256, copy });
      }
      const maxRejectedShare = options.maxRejectedShare ?? DEFAULT_MAX_REJECTED_SHARE;
      const report = await loadFile(context, file, identity, {
        maxRejectedShare,
        maxDeletedShare: options.maxDeletedShare,
        expectedRecords: options.expectedRecords?.[kind],
      });
      reports.push(report);
      archived.push({
        run: runId,
        ...identity,
        stored: file.gzip ? "as-delivered" : "gzip",
        recorded: recordedCounts(report),
      });
      progress.fileFinished?.();
    }
    refreshWeeklyTotals(db, context.merger);
    const staged = await Promise.all(staging.map((entry) => entry.copy));
    try {
      staging.forEach((entry, index) => {
        if (staged[index]?.sha256 !== entry.sha256) {
          throw inputError(
            entry.file.path,
            "the file changed while it was being loaded; run again",
          );
        }
      });
      publication = await archive.publish(archived, staged, mark);
    } catch (error) {
      await archive.discard(staged);
      throw error;
    }
    db.exec("COMMIT");
  } catch (error) {
    if (publication !== undefined) await archive.unpublish(publication);
    rollbackAfterError(db);
    const copies = await Promise.allSettled(staging.map((entry) => entry.copy));
    await archive.discard(
      copies.flatMap((copy) => (copy.status === "fulfilled" ? [copy.value] : [])),
    );
    throw error;
  }
  archive.markCommitted(runId);
  return reports;
}

import { StackhouseError } from "../errors.js";
import { storedAs, type Publication, type StagedObject } from "../archive/landing-archive.js";
import type { ArchivedFile, HistoryMark } from "../archive/manifest.js";
import { runChecks, type CheckReport } from "../check/run-checks.js";
import { sha256File } from "../extract/hash-file.js";
import { deliveryName, inputError, type DeliveryFile } from "../extract/read-delivery.js";
import { loadFile, type FileReport } from "../load/load-file.js";
import { Merger } from "../load/merger.js";
import type { DeliveryKind } from "../model/kinds.js";
import { DEFAULT_MAX_REJECTED_SHARE } from "../validate/reject-threshold.js";
import { sqliteDestination } from "../warehouse/sqlite-warehouse.js";
import type { DeliveryType } from "../warehouse/loads-log.js";
import type { Destination, Warehouse } from "../warehouse/warehouse.js";
import type { ProgressListener } from "./progress.js";
import { bindArchive } from "./bind-archive.js";
import { deliveryFiles, type DeliveryFiles, type DeliveryPlan } from "./delivery-files.js";
import { reconcileArchive } from "./reconcile-archive.js";
import {
  recordedCounts,
  refreshRollups,
  replayArchive,
  type ReplayReport,
} from "./replay-archive.js";

/** One ingest: a delivery's files (`posts`, `votes`, `files`) and the warehouse they go into. */
export interface IngestOptions extends DeliveryFiles {
  /**
   * The warehouse (a SQLite file's path, or any destination); created (from the landing archive,
   * if there is one) when missing.
   */
  readonly warehouse: string | Destination;
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
  /** Share of a kind's records a full snapshot may delete before the run is refused (5%). */
  readonly maxDeletedShare?: number;
}

/** What an ingest did. */
export interface IngestReport {
  readonly runId: number;
  /** True when the warehouse file did not exist before this run. */
  readonly created: boolean;
  /** The archive history replayed first, when the warehouse was missing and an archive existed. */
  readonly replayed: ReplayReport | null;
  readonly files: readonly FileReport[];
  /** What the user should be told of the files: skipped ones, a name that says another kind. */
  readonly notes: readonly string[];
  /** The data-quality checks run after the load, unless they were turned off. */
  readonly checks: CheckReport | null;
}

/**
 * Ingests one delivery (one file or several, of either kind) into the warehouse in one
 * transaction: every file lands, or none does and the warehouse and landing archive are as they
 * were.
 *
 * A missing warehouse is first re-created from the landing archive, so deleting the warehouse
 * file never loses history; it is built under a scratch name and renamed into place at the end.
 *
 * @example
 * const warehouse = sqliteDestination("warehouse.db");
 * const report = await ingest({ warehouse, posts: "Posts.json", votes: "Votes.json" });
 */
export async function ingest(options: IngestOptions): Promise<IngestReport> {
  const plan = await deliveryFiles(options);
  return underLock(options.warehouse, options.lockTimeoutMs, (destination) =>
    ingestLocked(destination, options, plan),
  );
}

async function ingestLocked(
  destination: Destination,
  options: IngestOptions,
  plan: DeliveryPlan,
): Promise<IngestReport> {
  const { archive } = destination;
  await archive.clearScratch();
  const created = await destination.isMissing();
  const refusal = created ? await destination.refuseToCreate?.() : undefined;
  if (refusal !== undefined) throw new StackhouseError("ARCHIVE", refusal);
  let warehouse: Warehouse | undefined;
  try {
    warehouse = created ? await destination.openScratch() : await destination.open();
    const bind = { created, newHistory: options.newHistory };
    const mark = await bindArchive(destination, warehouse, bind);
    const state = await reconcileArchive(archive, warehouse, created);
    const replayed =
      created && state.committed.length > 0
        ? await replayArchive(warehouse, archive, state, options.progress)
        : null;
    const runs = await warehouse.runs();
    const runId = Math.max(state.lastRun, runs.at(-1) ?? 0) + 1;
    const files = await loadDelivery(destination, warehouse, runId, plan.files, options, mark);
    const now = options.now ?? (() => new Date());
    const unchanged = !created && files.every((file) => file.outcome === "already-loaded");
    const checks =
      options.checks === false
        ? null
        : await runChecks(warehouse, now(), runId, {
            unchangedSinceRun: unchanged ? runs.at(-1) : undefined,
          });
    if (created) await destination.swapIn(warehouse);
    else await warehouse.close();
    warehouse = undefined;
    return { runId, created, replayed, files, notes: plan.notes, checks };
  } catch (error) {
    if (created) await destination.discardScratch(warehouse);
    else await warehouse?.close();
    throw error;
  }
}

async function loadDelivery(
  { archive }: Destination,
  warehouse: Warehouse,
  runId: number,
  deliveries: readonly (readonly [DeliveryKind, DeliveryFile])[],
  options: IngestOptions,
  mark: HistoryMark | undefined,
): Promise<FileReport[]> {
  const now = options.now ?? (() => new Date());
  const progress = options.progress ?? {};
  const merger = new Merger(warehouse);
  const context = {
    warehouse,
    merger,
    runId,
    source: "delivery" as const,
    now,
    onBytes: progress.bytesRead,
  };
  const arrivedAt = now().toISOString();
  const staging: {
    readonly file: DeliveryFile;
    readonly copy: Promise<StagedObject>;
    /** The sha256 of the bytes the load read, once it has read them. */
    sha256?: string;
  }[] = [];
  const archived: ArchivedFile[] = [];
  const reports: FileReport[] = [];

  let publication: Publication | undefined;
  await warehouse.begin();
  try {
    for (const [kind, file] of deliveries) {
      const sourcePath = deliveryName(file);
      progress.fileStarted?.(`${kind} ${sourcePath}`, file.sizeBytes);
      const delivery: DeliveryType = options.snapshot === true ? "snapshot" : "increment";
      // Bytes loaded before have the same size: a file of a new size is hashed as it is read.
      const sha256 = (await warehouse.loadedSize(file.sizeBytes, kind, delivery))
        ? await sha256File(file.path)
        : undefined;
      const identity = { kind, sourcePath, sizeBytes: file.sizeBytes, sha256, arrivedAt, delivery };
      const previousLoadId =
        sha256 === undefined ? undefined : await warehouse.previousLoad(sha256, kind, delivery);
      const stage: (typeof staging)[number] | undefined =
        previousLoadId === undefined ? { file, copy: archive.stage(file) } : undefined;
      stage?.copy.catch(() => undefined);
      if (stage !== undefined) staging.push(stage);
      const maxRejectedShare = options.maxRejectedShare ?? DEFAULT_MAX_REJECTED_SHARE;
      const report = await loadFile(context, file, identity, {
        maxRejectedShare,
        maxDeletedShare: options.maxDeletedShare,
        expectedRecords: options.expectedRecords?.[kind],
        previousLoadId: previousLoadId ?? null,
      });
      if (stage !== undefined) stage.sha256 = report.sha256;
      reports.push(report);
      archived.push({
        run: runId,
        ...identity,
        sha256: report.sha256,
        stored: storedAs(file),
        ...(file.member !== undefined && { member: file.member }),
        recorded: recordedCounts(report),
      });
      progress.fileFinished?.();
    }
    await refreshRollups(warehouse, merger);
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
    await warehouse.commit();
  } catch (error) {
    if (publication !== undefined) await archive.unpublish(publication);
    await warehouse.rollback().catch(() => undefined);
    const copies = await Promise.allSettled(staging.map((entry) => entry.copy));
    await archive.discard(
      copies.flatMap((copy) => (copy.status === "fulfilled" ? [copy.value] : [])),
    );
    throw error;
  }
  archive.markCommitted(runId);
  return reports;
}

/**
 * The destination a path or destination names: a path is a SQLite warehouse file.
 *
 * @example
 * asDestination("warehouse.db").archive.dir; // ".../warehouse.db.landing"
 */
export function asDestination(warehouse: string | Destination): Destination {
  return typeof warehouse === "string" ? sqliteDestination(warehouse) : warehouse;
}

/**
 * Runs `work` on a warehouse while holding its run lock, its failures explained in the
 * warehouse's terms (see {@link Destination.explain}).
 *
 * @example
 * await underLock("warehouse.db", undefined, (destination) => replay(destination));
 */
export async function underLock<T>(
  warehouse: string | Destination,
  timeoutMs: number | undefined,
  work: (destination: Destination) => Promise<T>,
): Promise<T> {
  const destination = asDestination(warehouse);
  const lock = await destination.lock(timeoutMs);
  try {
    return await work(destination);
  } catch (error) {
    throw destination.explain(error);
  } finally {
    lock.release();
  }
}

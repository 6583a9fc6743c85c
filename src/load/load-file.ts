import type { Database } from "better-sqlite3";
import { inputError, type DeliveryFile } from "../extract/read-delivery.js";
import type { DeliveryKind } from "../model/kinds.js";
import { RejectTally } from "../validate/reject-threshold.js";
import { countsError, validateInWorker } from "../validate/validate-in-worker.js";
import { RULES_VERSION } from "../validate/rules-version.js";
import type { DeliveryType, LoadCounts, LoadsLog, LoadSource } from "../warehouse/loads-log.js";
import { FileLedger } from "./file-ledger.js";
import { DEFAULT_MAX_DELETED_SHARE, SnapshotIds } from "./snapshot-deletions.js";
import { emptyCounts } from "./merge-counts.js";
import type { SqliteMerger } from "./sqlite-merger.js";

/** What loading one delivery file did. */
export interface FileReport extends LoadCounts {
  readonly loadId: number;
  readonly kind: DeliveryKind;
  readonly delivery: DeliveryType;
  readonly path: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly outcome: "loaded" | "already-loaded";
  /** For an already-loaded file, the load that first loaded the same bytes. */
  readonly previousLoadId: number | null;
  /** Keys the pipeline does not know, with the number of records that had each. */
  readonly unknownKeys: Readonly<Record<string, number>>;
  readonly seconds: number;
}

/** Everything a load needs from the run it belongs to. The caller owns the transaction. */
export interface LoadContext {
  readonly db: Database;
  readonly merger: SqliteMerger;
  readonly log: LoadsLog;
  readonly runId: number;
  readonly source: LoadSource;
  readonly now: () => Date;
  readonly onBytes?: (bytesRead: number) => void;
}

/** The identity of the delivery being loaded, known before it is read. */
export interface DeliveryIdentity {
  readonly kind: DeliveryKind;
  /** The path recorded in `loads` (for an archived copy, the path it was delivered as). */
  readonly sourcePath: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly arrivedAt: string;
  readonly delivery: DeliveryType;
}

/**
 * Loads one delivery file: extract its records, validate them (quarantining failures), merge the
 * valid rows, and audit the load. A file whose bytes were loaded before as the same kind is not
 * read again: merging it again could not change anything.
 *
 * @example
 * const report = await loadFile(context, file, { kind: "votes", delivery: "increment", sourcePath, sizeBytes, sha256, arrivedAt });
 */
export async function loadFile(
  context: LoadContext,
  file: DeliveryFile,
  identity: DeliveryIdentity,
  options: {
    readonly hashDecoded?: boolean;
    /** Refuse the file when more than this share of its records fails validation. */
    readonly maxRejectedShare?: number;
    /** Refuse a full snapshot that would delete more than this share of the kind's records. */
    readonly maxDeletedShare?: number;
    /** The supplier's control total: the file must hold exactly this many records. */
    readonly expectedRecords?: number;
  } = {},
): Promise<FileReport> {
  const started = performance.now();
  const { log, merger } = context;
  const start = { ...identity, runId: context.runId, source: context.source };
  const previousLoadId = log.previousLoad(identity.sha256, identity.kind, identity.delivery);
  if (previousLoadId !== undefined) {
    checkControlTotal(identity, options.expectedRecords, log.recordsRead(previousLoadId));
    const loadId = log.recordAlreadyLoaded(start, context.now());
    return {
      ...summary(identity, file, loadId, started),
      outcome: "already-loaded",
      previousLoadId,
    };
  }

  const loadId = log.start(start, context.now());
  const counts = emptyCounts();
  const ledger = new FileLedger(identity.kind);
  const snapshot = identity.delivery === "snapshot" ? new SnapshotIds(context.db) : undefined;
  let batched = 0;
  const rejects = new RejectTally();
  const validation = validateInWorker(file, identity.kind, {
    hashDecoded: options.hashDecoded,
    now: Date.parse(identity.arrivedAt),
  });
  for await (const batch of validation.batches) {
    batched += batch.read;
    context.onBytes?.(batch.bytesRead);
    for (const { record, reason } of batch.rejections) {
      rejects.add(reason);
      snapshot?.addRejected(record.text);
      log.quarantine(loadId, {
        recordNumber: record.number,
        line: record.line,
        reason,
        raw: record.text,
      });
    }
    merger.merge(identity.kind, batch.rows, loadId, counts);
    ledger.add(batch.rows);
    snapshot?.addRows(batch.rows);
  }
  if (options.maxRejectedShare !== undefined) {
    rejects.enforce(identity.sourcePath, batched, options.maxRejectedShare);
  }
  const { sha256, records: read } = validation.digest();
  if (sha256 !== identity.sha256) {
    throw inputError(file.path, "the file changed while it was being loaded");
  }
  const rejected = log.quarantined(loadId);
  const accounted = counts.inserted + counts.updated + counts.unchanged + rejected;
  if (read !== accounted) {
    throw countsError(
      identity.sourcePath,
      `read ${read} = inserted ${counts.inserted} + updated ${counts.updated} + unchanged ${counts.unchanged} + rejected ${rejected} does not hold`,
    );
  }
  checkControlTotal(identity, options.expectedRecords, read);
  const outcome = snapshot?.apply(identity.kind, {
    loadId,
    at: identity.arrivedAt,
    path: identity.sourcePath,
    maxShare: options.maxDeletedShare ?? DEFAULT_MAX_DELETED_SHARE,
  });
  for (const date of outcome?.creationDates ?? []) merger.touch(identity.kind, date);
  const changes = { deleted: outcome?.deleted ?? 0 };
  const unknownKeys = validation.unknownKeys();
  log.recordUnknownKeys(loadId, unknownKeys);
  log.finish(
    loadId,
    {
      read,
      rejected,
      ...counts,
      ...changes,
      ...ledger.entry(),
      rulesVersion: RULES_VERSION,
      knownIds: counts.known,
      expectedRecords: options.expectedRecords ?? null,
    },
    context.now(),
  );
  return {
    ...summary(identity, file, loadId, started),
    outcome: "loaded",
    previousLoadId: null,
    read,
    rejected,
    ...counts,
    ...changes,
    unknownKeys: Object.fromEntries(unknownKeys),
  };
}

/** Refuses a file that does not hold exactly the records the supplier's control total says. */
function checkControlTotal(
  identity: DeliveryIdentity,
  expected: number | undefined,
  read: number,
): void {
  if (expected === undefined || expected === read) return;
  throw inputError(
    identity.sourcePath,
    `holds ${String(read)} records, but the supplier's control total says ${String(expected)} (--expect-${identity.kind}); nothing was loaded`,
  );
}

function summary(
  identity: DeliveryIdentity,
  file: DeliveryFile,
  loadId: number,
  started: number,
): Omit<FileReport, "outcome" | "previousLoadId"> {
  return {
    loadId,
    kind: identity.kind,
    delivery: identity.delivery,
    path: identity.sourcePath,
    sizeBytes: identity.sizeBytes,
    sha256: identity.sha256,
    read: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    deleted: 0,
    restored: 0,
    conflicts: 0,
    unknownKeys: {},
    seconds: (performance.now() - started) / 1000,
  };
}

import { inputError, type DeliveryFile } from "../extract/read-delivery.js";
import type { DeliveryKind } from "../model/kinds.js";
import { RejectTally } from "../validate/reject-threshold.js";
import { countsError, validateInWorker } from "../validate/validate-in-worker.js";
import type { LoadsLog, LoadSource } from "../warehouse/loads-log.js";
import { emptyCounts } from "./merge-counts.js";
import type { SqliteMerger } from "./sqlite-merger.js";

/** What loading one delivery file did. */
export interface FileReport {
  readonly loadId: number;
  readonly kind: DeliveryKind;
  readonly path: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly outcome: "loaded" | "already-loaded";
  /** For an already-loaded file, the load that first loaded the same bytes. */
  readonly previousLoadId: number | null;
  readonly read: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly rejected: number;
  /** Keys the pipeline does not know, with the number of records that had each. */
  readonly unknownKeys: Readonly<Record<string, number>>;
  readonly seconds: number;
}

/** Everything a load needs from the run it belongs to. The caller owns the transaction. */
export interface LoadContext {
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
}

/**
 * Loads one delivery file: extract its records, validate them (quarantining failures), merge the
 * valid rows, and audit the load. A file whose bytes were loaded before as the same kind is not
 * read again: merging it again could not change anything.
 *
 * @example
 * const report = await loadFile(context, file, { kind: "votes", sourcePath, sizeBytes, sha256, arrivedAt });
 */
export async function loadFile(
  context: LoadContext,
  file: DeliveryFile,
  delivery: DeliveryIdentity,
  options: {
    readonly hashDecoded?: boolean;
    /** Refuse the file when more than this share of its records fails validation. */
    readonly maxRejectedShare?: number;
  } = {},
): Promise<FileReport> {
  const started = performance.now();
  const { log } = context;
  const start = { ...delivery, runId: context.runId, source: context.source };
  const previousLoadId = log.previousLoad(delivery.sha256, delivery.kind);
  if (previousLoadId !== undefined) {
    const loadId = log.recordAlreadyLoaded(start, context.now());
    return {
      ...summary(delivery, file, loadId, started),
      outcome: "already-loaded",
      previousLoadId,
    };
  }

  const loadId = log.start(start, context.now());
  const counts = emptyCounts();
  let batched = 0;
  const rejects = new RejectTally();
  const validation = validateInWorker(file, delivery.kind, {
    hashDecoded: options.hashDecoded,
    now: Date.parse(delivery.arrivedAt),
  });
  for await (const batch of validation.batches) {
    batched += batch.read;
    context.onBytes?.(batch.bytesRead);
    for (const { record, reason } of batch.rejections) {
      rejects.add(reason);
      log.quarantine(loadId, {
        recordNumber: record.number,
        line: record.line,
        reason,
        raw: record.text,
      });
    }
    context.merger.merge(delivery.kind, batch.rows, loadId, counts);
  }
  if (options.maxRejectedShare !== undefined) {
    rejects.enforce(delivery.sourcePath, batched, options.maxRejectedShare);
  }
  const { sha256, records: read } = validation.digest();
  if (sha256 !== delivery.sha256) {
    throw inputError(file.path, "the file changed while it was being loaded");
  }
  const rejected = log.quarantined(loadId);
  const accounted = counts.inserted + counts.updated + counts.unchanged + rejected;
  if (read !== accounted) {
    throw countsError(
      delivery.sourcePath,
      `read ${read} = inserted ${counts.inserted} + updated ${counts.updated} + unchanged ${counts.unchanged} + rejected ${rejected} does not hold`,
    );
  }
  const unknownKeys = validation.unknownKeys();
  log.recordUnknownKeys(loadId, unknownKeys);
  log.finish(loadId, { read, rejected, ...counts }, context.now());
  return {
    ...summary(delivery, file, loadId, started),
    outcome: "loaded",
    previousLoadId: null,
    read,
    rejected,
    ...counts,
    unknownKeys: Object.fromEntries(unknownKeys),
  };
}

function summary(
  delivery: DeliveryIdentity,
  file: DeliveryFile,
  loadId: number,
  started: number,
): Omit<FileReport, "outcome" | "previousLoadId"> {
  return {
    loadId,
    kind: delivery.kind,
    path: delivery.sourcePath,
    sizeBytes: delivery.sizeBytes,
    sha256: delivery.sha256,
    read: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    unknownKeys: {},
    seconds: (performance.now() - started) / 1000,
  };
}

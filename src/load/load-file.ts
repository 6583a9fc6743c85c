import { StackhouseError } from "../errors.js";
import { deliveryName, inputError, type DeliveryFile } from "../extract/read-delivery.js";
import type { DeliveryKind } from "../model/kinds.js";
import { RejectTally } from "../validate/reject-threshold.js";
import { countsError, validateInWorker } from "../validate/validate-in-worker.js";
import { RULES_VERSION } from "../validate/rules-version.js";
import { formatShare } from "../validate/reject-threshold.js";
import type { DeliveryType, LoadCounts, LoadSource } from "../warehouse/loads-log.js";
import type { Warehouse } from "../warehouse/warehouse.js";
import { FileLedger } from "./file-ledger.js";
import { emptyCounts } from "./merge-counts.js";
import type { Merger, RecordId } from "./merger.js";

/** Share of a kind's live records a full snapshot may delete before the run is refused (5%). */
export const DEFAULT_MAX_DELETED_SHARE = 0.05;

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
  /** Posts older than the stored version (by last activity), left as stored: counted unchanged. */
  readonly stale: number;
  /** Keys the pipeline does not know, with the number of records that had each. */
  readonly unknownKeys: Readonly<Record<string, number>>;
  readonly seconds: number;
}

/** Everything a load needs from the run it belongs to. The caller owns the transaction. */
export interface LoadContext {
  readonly warehouse: Warehouse;
  readonly merger: Merger;
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
  /**
   * The sha256 of its bytes, when they were hashed before being read (to find an earlier load of
   * them); else the load takes the sha256 of the bytes it reads.
   */
  readonly sha256?: string;
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
    /** The earlier load of the same bytes, when the caller has looked it up already. */
    readonly previousLoadId?: number | null;
    /** Apply a full snapshot older than the warehouse's data (a replay of what was accepted then). */
    readonly applyStaleSnapshot?: boolean;
  } = {},
): Promise<FileReport> {
  const started = performance.now();
  const { warehouse, merger } = context;
  // A load whose bytes are not hashed yet records their sha256 when it finishes.
  const start = {
    ...identity,
    sha256: identity.sha256 ?? "",
    runId: context.runId,
    source: context.source,
  };
  const previousLoadId =
    options.previousLoadId !== undefined
      ? (options.previousLoadId ?? undefined)
      : identity.sha256 === undefined
        ? undefined
        : await warehouse.previousLoad(identity.sha256, identity.kind, identity.delivery);
  if (previousLoadId !== undefined) {
    checkControlTotal(
      identity,
      options.expectedRecords,
      await warehouse.recordsRead(previousLoadId),
    );
    const loadId = await warehouse.recordAlreadyLoaded(start, context.now());
    return {
      ...summary(identity, start.sha256, file, loadId, started),
      outcome: "already-loaded",
      previousLoadId,
    };
  }

  const loadId = await warehouse.startLoad(start, context.now());
  const counts = emptyCounts();
  const ledger = new FileLedger(identity.kind);
  const snapshot = identity.delivery === "snapshot";
  let batched = 0;
  const rejects = new RejectTally();
  const validation = validateInWorker(file, identity.kind, {
    hashDecoded: options.hashDecoded,
    now: Date.parse(identity.arrivedAt),
  });
  for await (const batch of validation.batches) {
    batched += batch.read;
    context.onBytes?.(batch.bytesRead);
    for (const { record, reason } of batch.rejections) rejects.add(reason, record);
    await warehouse.quarantine(
      loadId,
      batch.rejections.map(({ record, reason }) => ({
        recordNumber: record.number,
        line: record.line,
        reason,
        raw: record.text,
      })),
    );
    await merger.merge(identity.kind, batch.rows, loadId, counts);
    ledger.add(batch.rows);
    if (snapshot) {
      const rejectedIds = batch.rejections.flatMap(({ record }) => record.id ?? []);
      await warehouse.addSnapshotIds([
        ...batch.rows.map((row) => row[0] as RecordId),
        ...rejectedIds,
      ]);
    }
  }
  if (options.maxRejectedShare !== undefined) {
    rejects.enforce(identity.sourcePath, batched, options.maxRejectedShare);
  }
  const { sha256, records: read } = validation.digest();
  if (identity.sha256 !== undefined && sha256 !== identity.sha256) {
    throw inputError(deliveryName(file), "the file changed while it was being loaded");
  }
  const rejected = await warehouse.quarantined(loadId);
  const accounted = counts.inserted + counts.updated + counts.unchanged + rejected;
  if (read !== accounted) {
    throw countsError(
      identity.sourcePath,
      `read ${read} = inserted ${counts.inserted} + updated ${counts.updated} + unchanged ${counts.unchanged} + rejected ${rejected} does not hold`,
    );
  }
  checkControlTotal(identity, options.expectedRecords, read);
  const older =
    snapshot && options.applyStaleSnapshot !== true
      ? olderThanHeld(identity, ledger.entry().lastDate, await warehouse.newestDate(identity.kind))
      : undefined;
  const deleted = snapshot
    ? await applySnapshot(context, identity, loadId, options.maxDeletedShare, older)
    : 0;
  const unknownKeys = validation.unknownKeys();
  await warehouse.finishLoad(
    loadId,
    {
      sha256,
      read,
      rejected,
      ...counts,
      deleted,
      ...ledger.entry(),
      rulesVersion: RULES_VERSION,
      knownIds: counts.known,
      expectedRecords: options.expectedRecords ?? null,
    },
    unknownKeys,
    context.now(),
  );
  return {
    ...summary(identity, sha256, file, loadId, started),
    outcome: "loaded",
    previousLoadId: null,
    read,
    rejected,
    ...counts,
    deleted,
    unknownKeys: Object.fromEntries(unknownKeys),
  };
}

/**
 * Marks deleted every live record of the kind that a full snapshot lacks; refuses the run
 * (nothing changes) when that is more than `maxShare` of them, as a snapshot cut short would, or
 * when the snapshot is `older` than what the warehouse holds (see {@link olderThanHeld}).
 */
async function applySnapshot(
  { warehouse, merger }: LoadContext,
  identity: DeliveryIdentity,
  loadId: number,
  maxShare = DEFAULT_MAX_DELETED_SHARE,
  older?: string,
): Promise<number> {
  const { kind } = identity;
  const { live, absent } = await warehouse.snapshotShortfall(kind);
  if (absent > 0 && absent > maxShare * live) {
    const share = ((100 * absent) / live).toFixed(1);
    const advice =
      older === undefined
        ? `A snapshot cut short looks like this; if the deletions are real, run again with --max-deleted ${String(Math.ceil(Number(share)))}%`
        : `${older[0]?.toUpperCase() ?? ""}${older.slice(1)}: an old snapshot, or one cut short at its end?`;
    throw new StackhouseError(
      "TOO_MANY_DELETED",
      `${identity.sourcePath}: this full snapshot lacks ${String(absent)} of the ${String(live)} ${kind} in the warehouse (${share}%), more than the ${formatShare(maxShare)} it may delete (--max-deleted); nothing was loaded. ${advice}`,
    );
  }
  if (older !== undefined) {
    throw new StackhouseError(
      "STALE_SNAPSHOT",
      `${identity.sourcePath}: this full snapshot is older than what the warehouse holds: ${older}. Applied, it would delete the ${kind} delivered since and bring back those deleted since, so nothing was loaded`,
    );
  }
  const dates = await warehouse.deleteAbsent(kind, loadId, identity.arrivedAt);
  for (const date of dates) merger.touch(kind, date);
  return dates.length;
}

/**
 * How a full snapshot is older than what the warehouse holds, if it is: its newest record is
 * older than the newest any load of its kind had. It is then not the current state, and what it
 * lacks may have come since rather than gone.
 */
function olderThanHeld(
  identity: DeliveryIdentity,
  newest: string | null,
  held: string | null,
): string | undefined {
  if (newest === null || held === null || newest >= held) return undefined;
  const what = identity.kind === "posts" ? "last activity of a post" : "vote";
  return `its newest ${what} is ${newest}, older than the warehouse's ${held}`;
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
  sha256: string,
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
    sha256,
    read: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    deleted: 0,
    restored: 0,
    conflicts: 0,
    stale: 0,
    unknownKeys: {},
    seconds: (performance.now() - started) / 1000,
  };
}

import type { Database, Statement } from "better-sqlite3";
import type { DeliveryKind } from "../model/kinds.js";
import { loadIdOf } from "../model/load-id.js";

/** Where a load's records came from. */
export type LoadSource = "delivery" | "archive";

/**
 * What a delivery file claims: a full `snapshot` is the supplier's complete current state of its
 * kind (records it lacks were deleted); an `increment` holds new and changed records only.
 */
export type DeliveryType = "snapshot" | "increment";

/** Identity of one delivery file in one run. */
export interface LoadStart {
  readonly runId: number;
  readonly kind: DeliveryKind;
  readonly sourcePath: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly arrivedAt: string;
  readonly source: LoadSource;
  readonly delivery: DeliveryType;
}

/**
 * What a load did to the warehouse. `read = inserted + updated + unchanged + rejected`; a full
 * snapshot's `deleted` and `restored` records and the votes in `conflicts` are counted apart.
 */
export interface LoadCounts {
  readonly read: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly rejected: number;
  readonly deleted: number;
  readonly restored: number;
  readonly conflicts: number;
}

/** Final tallies of one load: its counts, the rules it ran under, and its ledger. */
export interface LoadTally extends LoadCounts {
  /** The sha256 of the bytes the load read (a load may start before its file is hashed). */
  readonly sha256: string;
  readonly rulesVersion: number;
  readonly expectedRecords: number | null;
  /** Records whose id the warehouse held before the load. */
  readonly knownIds: number;
  readonly minId: number | bigint | null;
  readonly maxId: number | bigint | null;
  readonly firstDate: string | null;
  readonly lastDate: string | null;
}

/** A quarantined record. */
export interface RejectedRecord {
  readonly recordNumber: number;
  readonly line: number;
  readonly reason: string;
  readonly raw: string;
}

/**
 * The loads that make loading the same bytes again pointless, binding a kind then a delivery type:
 * successful loads of the kind; as a snapshot, the same bytes loaded as an increment still have
 * deletions to tell.
 */
const LOADED_AS = `kind = ? AND outcome = 'loaded' AND (delivery = 'snapshot' OR ? = 'increment')`;

/**
 * The `loads` audit table and what hangs off it (quarantined records, unknown keys): lineage of
 * every row in the warehouse. Statements are prepared once.
 *
 * @example
 * const log = new LoadsLog(db);
 * const loadId = log.start({ runId, kind: "votes", ... });
 */
export class LoadsLog {
  private readonly insertLoad: Statement;
  private readonly finishLoad: Statement;
  private readonly findLoaded: Statement;
  private readonly findSize: Statement;
  private readonly findNewest: Statement;
  private readonly insertRejected: Statement;
  private readonly insertUnknownKey: Statement;
  private readonly countRejected: Statement;
  private readonly listRuns: Statement;
  private readonly readOf: Statement;
  private readonly loadsOfRun: Statement;

  constructor(db: Database) {
    this.insertLoad = db.prepare(
      `INSERT INTO loads (load_id, run_id, kind, source_path, size_bytes, sha256, arrived_at, loaded_at, source, outcome, delivery)
       VALUES (@loadId, @runId, @kind, @sourcePath, @sizeBytes, @sha256, @arrivedAt, @loadedAt, @source, @outcome, @delivery)`,
    );
    this.finishLoad = db.prepare(
      `UPDATE loads SET outcome = 'loaded', loaded_at = @loadedAt, sha256 = @sha256, records_read = @read,
         inserted = @inserted, updated = @updated, unchanged = @unchanged, rejected = @rejected,
         deleted = @deleted, restored = @restored, conflicts = @conflicts,
         rules_version = @rulesVersion, expected_records = @expectedRecords, known_ids = @knownIds,
         min_id = @minId, max_id = @maxId, first_date = @firstDate, last_date = @lastDate
       WHERE load_id = @loadId`,
    );
    this.findLoaded = db
      .prepare(`SELECT min(load_id) FROM loads WHERE sha256 = ? AND ${LOADED_AS}`)
      .pluck();
    this.findSize = db
      .prepare(`SELECT 1 FROM loads WHERE size_bytes = ? AND ${LOADED_AS} LIMIT 1`)
      .pluck();
    this.findNewest = db.prepare("SELECT max(last_date) FROM loads WHERE kind = ?").pluck();
    this.insertRejected = db.prepare(
      "INSERT INTO rejected_records (load_id, record_number, line, reason, raw) VALUES (?, ?, ?, ?, ?)",
    );
    this.insertUnknownKey = db.prepare(
      "INSERT INTO load_unknown_keys (load_id, key, records) VALUES (?, ?, ?)",
    );
    this.readOf = db.prepare("SELECT records_read FROM loads WHERE load_id = ?").pluck();
    this.loadsOfRun = db.prepare("SELECT count(*) FROM loads WHERE run_id = ?").pluck();
    this.listRuns = db.prepare("SELECT DISTINCT run_id FROM loads ORDER BY run_id").pluck();
    this.countRejected = db
      .prepare("SELECT count(*) FROM rejected_records WHERE load_id = ?")
      .pluck();
  }

  /** Opens a load; its id goes on every row it writes. */
  start(load: LoadStart, now: Date): number {
    return this.open(load, now, "running");
  }

  /** Records a file that was skipped because the same bytes of the same kind were loaded before. */
  recordAlreadyLoaded(load: LoadStart, now: Date): number {
    return this.open(load, now, "already-loaded");
  }

  private open(load: LoadStart, now: Date, outcome: string): number {
    const loadId = loadIdOf(load.runId, Number(this.loadsOfRun.get(load.runId)) + 1);
    this.insertLoad.run({ ...load, loadId, loadedAt: now.toISOString(), outcome });
    return loadId;
  }

  /** Closes a load with its tallies. */
  finish(loadId: number, tally: LoadTally, now: Date): void {
    this.finishLoad.run({ loadId, loadedAt: now.toISOString(), ...tally });
  }

  /**
   * The first successful load of these bytes as this kind, if any, that makes loading them again
   * pointless: as a snapshot, the same bytes loaded as an increment still have deletions to tell.
   */
  previousLoad(sha256: string, kind: DeliveryKind, delivery: DeliveryType): number | undefined {
    const loadId = this.findLoaded.get(sha256, kind, delivery) as number | null;
    return loadId ?? undefined;
  }

  /** Whether a load like {@link previousLoad}'s, of a file of exactly this size, exists. */
  loadedSize(sizeBytes: number, kind: DeliveryKind, delivery: DeliveryType): boolean {
    return this.findSize.get(sizeBytes, kind, delivery) !== undefined;
  }

  /** The newest `last_date` of a kind's loads, or null. */
  newestDate(kind: DeliveryKind): string | null {
    return this.findNewest.get(kind) as string | null;
  }

  quarantine(loadId: number, record: RejectedRecord): void {
    this.insertRejected.run(loadId, record.recordNumber, record.line, record.reason, record.raw);
  }

  /** Records of a load in `rejected_records`, counted there, not by whoever wrote them. */
  quarantined(loadId: number): number {
    return this.countRejected.get(loadId) as number;
  }

  recordUnknownKeys(loadId: number, counts: ReadonlyMap<string, number>): void {
    for (const [key, records] of counts) this.insertUnknownKey.run(loadId, key, records);
  }

  /** The records a load read. */
  recordsRead(loadId: number): number {
    return this.readOf.get(loadId) as number;
  }

  /** Every run the warehouse holds, oldest first. */
  runs(): number[] {
    return this.listRuns.all() as number[];
  }
}

import type { Database, Statement } from "better-sqlite3";
import { weeklyAnswer, type WeeklyAnswer } from "../analysis/weekly-series.js";
import { LandingArchive } from "../archive/landing-archive.js";
import { existsSync } from "node:fs";
import { landingDirFor, ownedPaths, realWarehousePath } from "../archive/warehouse-paths.js";
import type { Check } from "../check/checks.js";
import type { CheckResult } from "../check/run-checks.js";
import { refreshWeeklyTotals } from "../load/refresh-weekly-totals.js";
import type { RecordId } from "../load/merger.js";
import type { DeliveryKind } from "../model/kinds.js";
import { acquireRunLock } from "../run/run-lock.js";
import {
  isMissingOrEmptyFile,
  removeDatabase,
  replaceDatabase,
  scratchPathFor,
} from "../run/warehouse-file.js";
import { adoptHistoryId, readHistoryId } from "./history-id.js";
import { LoadsLog, type LoadStart, type LoadTally, type RejectedRecord } from "./loads-log.js";
import { DeferredRollups } from "./deferred-rollups.js";
import {
  asWarehouseError,
  buildDeferredIndexes,
  closeScratchWarehouse,
  openScratchWarehouse,
  openWarehouse,
  openWarehouseReadOnly,
  rollbackAfterError,
} from "./open-warehouse.js";
import { writeCalendar } from "./migration-calendar.js";
import { sqliteFindings } from "./sqlite-findings.js";
import { SqliteStore, STORED_TABLES } from "./sqlite-store.js";
import type { Destination, Findings, Warehouse } from "./warehouse.js";

/**
 * A SQLite warehouse file as a {@link Destination}: its landing archive beside it
 * (`<file>.landing/`), a lock file beside it, and new warehouses built under a scratch name and
 * renamed into place.
 *
 * @example
 * const warehouse = await sqliteDestination("warehouse.db").open();
 */
export function sqliteDestination(path: string): Destination {
  const file = realWarehousePath(path);
  const scratch = scratchPathFor(file);
  let building: SqliteWarehouse | undefined;
  return {
    name: path,
    option: `--db ${path}`,
    archive: LandingArchive.beside(file),
    ownPaths: ownedPaths(file),
    lock: (timeoutMs) => acquireRunLock(`${file}.lock`, path, timeoutMs),
    isMissing: () => Promise.resolve(isMissingOrEmptyFile(file)),
    refuseToCreate: () =>
      Promise.resolve(
        existsSync(file) && LandingArchive.beside(file).read().committed.length > 0
          ? `${path}: the warehouse file is empty (0 bytes) but its landing archive ${landingDirFor(file)} holds its history; re-create it with: stackhouse rebuild --db ${path}`
          : undefined,
      ),
    explain: (error) => asWarehouseError(path, error),
    open: () => Promise.resolve(new SqliteWarehouse(openWarehouse(file), path)),
    openForReading: () => Promise.resolve(new SqliteWarehouse(openWarehouseReadOnly(file), path)),
    async openScratch() {
      await removeDatabase(scratch);
      building = new SqliteWarehouse(openScratchWarehouse(scratch), path, new DeferredRollups());
      return building;
    },
    async swapIn(built) {
      if (building === undefined || built !== building)
        throw new Error("not this scratch warehouse");
      const { db } = building;
      building.startRollups();
      buildDeferredIndexes(db);
      await building.finishRollups();
      closeScratchWarehouse(db);
      building = undefined;
      await replaceDatabase(scratch, file);
    },
    async discardScratch(built) {
      await built?.close();
      await removeDatabase(scratch);
    },
  };
}

/**
 * A SQLite warehouse: a run is one `BEGIN IMMEDIATE` transaction. One being built apart defers
 * its weekly rollups to the end of the build ({@link DeferredRollups}).
 */
export class SqliteWarehouse extends SqliteStore implements Warehouse {
  readonly db: Database;
  readonly name: string;
  private readonly log: LoadsLog;
  private readonly deferredRollups: DeferredRollups | undefined;
  private snapshotInsert: Statement | undefined;

  constructor(db: Database, name: string, deferredRollups?: DeferredRollups) {
    super(db);
    this.db = db;
    this.name = name;
    this.log = new LoadsLog(db);
    this.deferredRollups = deferredRollups;
  }

  /** Starts computing the deferred rollups, once the build's last run is committed. */
  startRollups(): void {
    this.deferredRollups?.start(this.db);
  }
  /** Writes the deferred rollups. */
  async finishRollups(): Promise<void> {
    await this.deferredRollups?.finish(this.db);
  }

  historyId(): Promise<string> {
    return Promise.resolve(readHistoryId(this.db));
  }
  adoptHistoryId(id: string): Promise<void> {
    adoptHistoryId(this.db, id);
    return Promise.resolve();
  }
  runs(): Promise<number[]> {
    return Promise.resolve(this.log.runs());
  }

  begin(): Promise<void> {
    this.db.exec("BEGIN IMMEDIATE");
    return Promise.resolve();
  }
  commit(): Promise<void> {
    this.db.exec("COMMIT");
    return Promise.resolve();
  }
  rollback(): Promise<void> {
    rollbackAfterError(this.db);
    return Promise.resolve();
  }
  async close(): Promise<void> {
    await this.deferredRollups?.stop();
    if (this.db.open) this.db.close();
  }

  previousLoad(
    sha256: string,
    kind: DeliveryKind,
    delivery: LoadStart["delivery"],
  ): Promise<number | undefined> {
    return Promise.resolve(this.log.previousLoad(sha256, kind, delivery));
  }
  loadedSize(
    sizeBytes: number,
    kind: DeliveryKind,
    delivery: LoadStart["delivery"],
  ): Promise<boolean> {
    return Promise.resolve(this.log.loadedSize(sizeBytes, kind, delivery));
  }
  recordsRead(loadId: number): Promise<number> {
    return Promise.resolve(this.log.recordsRead(loadId));
  }
  newestDate(kind: DeliveryKind): Promise<string | null> {
    return Promise.resolve(this.log.newestDate(kind));
  }
  startLoad(load: LoadStart, now: Date): Promise<number> {
    return Promise.resolve(this.log.start(load, now));
  }
  recordAlreadyLoaded(load: LoadStart, now: Date): Promise<number> {
    return Promise.resolve(this.log.recordAlreadyLoaded(load, now));
  }
  finishLoad(
    loadId: number,
    tally: LoadTally,
    unknownKeys: ReadonlyMap<string, number>,
    now: Date,
  ): Promise<void> {
    this.log.recordUnknownKeys(loadId, unknownKeys);
    this.log.finish(loadId, tally, now);
    return Promise.resolve();
  }
  quarantine(loadId: number, records: readonly RejectedRecord[]): Promise<void> {
    for (const record of records) this.log.quarantine(loadId, record);
    return Promise.resolve();
  }
  quarantined(loadId: number): Promise<number> {
    return Promise.resolve(this.log.quarantined(loadId));
  }

  addSnapshotIds(ids: readonly RecordId[]): Promise<void> {
    if (this.snapshotInsert === undefined) {
      this.db.exec("CREATE TEMP TABLE IF NOT EXISTS snapshot_ids (id INTEGER PRIMARY KEY)");
      this.db.exec("DELETE FROM temp.snapshot_ids");
      this.snapshotInsert = this.db.prepare(
        "INSERT OR IGNORE INTO temp.snapshot_ids (id) VALUES (?)",
      );
    }
    for (const id of ids) this.snapshotInsert.run(id);
    return Promise.resolve();
  }
  snapshotShortfall(kind: DeliveryKind): Promise<{ live: number; absent: number }> {
    const count = (where: string): number =>
      this.db
        .prepare(`SELECT count(*) FROM ${STORED_TABLES[kind]} WHERE ${where}`)
        .pluck()
        .get() as number;
    return Promise.resolve({ live: count(LIVE), absent: count(ABSENT) });
  }
  deleteAbsent(kind: DeliveryKind, loadId: number, at: string): Promise<string[]> {
    const dates = this.db
      .prepare(
        `UPDATE ${STORED_TABLES[kind]} SET deleted_by_load_id = ?, deleted_at = ? WHERE ${ABSENT} RETURNING creation_date`,
      )
      .pluck()
      .all(loadId, at) as string[];
    this.db.exec("DELETE FROM temp.snapshot_ids");
    return Promise.resolve(dates);
  }

  refreshRollups(
    touched: Readonly<Record<DeliveryKind, readonly string[]>>,
    now: Date,
  ): Promise<void> {
    if (this.deferredRollups !== undefined) {
      this.deferredRollups.add(touched, now);
      return Promise.resolve();
    }
    refreshWeeklyTotals(this.db, touched);
    writeCalendar(this.db, now);
    return Promise.resolve();
  }
  read(sql: string): Promise<Record<string, unknown>[]> {
    return Promise.resolve(this.db.prepare(sql).all() as Record<string, unknown>[]);
  }
  findings(checks: readonly Check[], now: string): Promise<Findings[]> {
    // The checks come after the last commit: the rollups can be read meanwhile.
    this.startRollups();
    return Promise.resolve(sqliteFindings(this.db, checks, now));
  }
  storeChecks(
    checkedAt: string,
    runId: number | null,
    results: readonly CheckResult[],
  ): Promise<number> {
    const store = this.db.transaction(() => {
      const checkRunId = Number(
        this.db
          .prepare("INSERT INTO check_runs (checked_at, run_id) VALUES (?, ?)")
          .run(checkedAt, runId).lastInsertRowid,
      );
      const insert = this.db.prepare(
        "INSERT INTO check_results (check_run_id, name, severity, failing, sample_ids) VALUES (?, ?, ?, ?, ?)",
      );
      for (const result of results) {
        insert.run(
          checkRunId,
          result.name,
          result.severity,
          result.failing,
          JSON.stringify(result.sample),
        );
      }
      return checkRunId;
    });
    return Promise.resolve(store.immediate());
  }
  weeklyAnswer(now: Date = new Date()): Promise<WeeklyAnswer> {
    return Promise.resolve(weeklyAnswer(this.db, now.getTime()));
  }
}

const LIVE = "deleted_by_load_id IS NULL";
const ABSENT = `${LIVE} AND id NOT IN (SELECT id FROM temp.snapshot_ids)`;

import type { WeeklyAnswer } from "../analysis/weekly-series.js";
import type { LandingArchive } from "../archive/landing-archive.js";
import type { Check } from "../check/checks.js";
import type { CheckResult } from "../check/run-checks.js";
import type { RecordId, RecordStore } from "../load/merger.js";
import type { DeliveryKind } from "../model/kinds.js";
import type { LoadStart, LoadTally, RejectedRecord } from "./loads-log.js";

/** What one check found: the rows failing it, and the smallest of their ids. */
export interface Findings {
  readonly failing: number;
  readonly sample: number[];
}

/** A local file or folder of a warehouse, as a real path, with what it is. */
export interface OwnPath {
  readonly path: string;
  /** What it is, as a refusal names it: "the landing archive of the warehouse". */
  readonly name: string;
}

/** A held run lock; release it when the run ends, however it ends. */
export interface Release {
  release(): void;
}

/**
 * Where a warehouse lives, before it is opened: what `--db` or `--target` names. Runs that write
 * (ingest, rebuild) go through it, the same on every engine.
 *
 * @example
 * const destination = sqliteDestination("warehouse.db");
 * const warehouse = await destination.open();
 */
export interface Destination {
  /** How messages name the warehouse: its file, or its ClickHouse URL. */
  readonly name: string;
  /** The option that names it, for the commands a message suggests (`--db w.db`). */
  readonly option: string;
  /** For an archive found by default (a ClickHouse target's): how to point at another folder. */
  readonly otherArchive?: string;
  /** The landing archive of every delivery the warehouse accepted. */
  readonly archive: LandingArchive;
  /** Its local files and folders, which no output stackhouse writes may land on or in. */
  readonly ownPaths: readonly OwnPath[];
  /** Makes runs writing this warehouse take turns. */
  lock(timeoutMs?: number): Promise<Release>;
  /** True when there is no warehouse yet (a missing or empty file, a missing database). */
  isMissing(): Promise<boolean>;
  /**
   * Why a missing warehouse must not be created by an ingest, if so: a file emptied by accident,
   * a ClickHouse warehouse one of whose servers lost its tables.
   */
  refuseToCreate?(): Promise<string | undefined>;
  /** A failure met while using the warehouse, as one line naming it. */
  explain(error: unknown): unknown;
  /** Opens the warehouse, creating it and bringing its schema up to date. */
  open(): Promise<Warehouse>;
  /** Opens the warehouse to read it: nothing done through it changes the warehouse. */
  openForReading(): Promise<Warehouse>;
  /** Opens an empty warehouse built apart, which {@link swapIn} puts in place once complete. */
  openScratch(): Promise<Warehouse>;
  /** Closes a complete scratch warehouse and puts it in place of the warehouse in one step. */
  swapIn(scratch: Warehouse): Promise<void>;
  /** Throws away a scratch warehouse, or what an interrupted build left. */
  discardScratch(scratch?: Warehouse): Promise<void>;
}

/**
 * One engine's warehouse, as the pipeline uses it: the loads audit, the record store the merge
 * writes through, a full snapshot's deletions, the weekly rollups, and the reads of checks and
 * answers. Writes happen inside a run ({@link begin} … {@link commit}); readers see a run's
 * changes all at once or not at all.
 */
export interface Warehouse extends RecordStore {
  readonly name: string;
  /** The id of the history the warehouse holds, which its landing archive records too. */
  historyId(): Promise<string>;
  adoptHistoryId(id: string): Promise<void>;
  /** Every run the warehouse holds, oldest first. */
  runs(): Promise<number[]>;

  begin(): Promise<void>;
  commit(): Promise<void>;
  /**
   * Undoes the run. A failure here does not hide the error that caused it: what a rollback could
   * not undo, the next run's {@link begin} settles first.
   */
  rollback(): Promise<void>;
  close(): Promise<void>;

  /** The first load of these bytes as this kind that makes loading them again pointless. */
  previousLoad(
    sha256: string,
    kind: DeliveryKind,
    delivery: LoadStart["delivery"],
  ): Promise<number | undefined>;
  /**
   * Whether a load {@link previousLoad} would find could be of a file of this size: none can when
   * no such load read a file of exactly this size, so a new file need not be hashed before it is
   * read.
   */
  loadedSize(
    sizeBytes: number,
    kind: DeliveryKind,
    delivery: LoadStart["delivery"],
  ): Promise<boolean>;
  /** The records a load read. */
  recordsRead(loadId: number): Promise<number>;
  /** The newest record date (the ledger's `last_date`) of a kind's loads so far, this run's included. */
  newestDate(kind: DeliveryKind): Promise<string | null>;
  startLoad(load: LoadStart, now: Date): Promise<number>;
  recordAlreadyLoaded(load: LoadStart, now: Date): Promise<number>;
  finishLoad(
    loadId: number,
    tally: LoadTally,
    unknownKeys: ReadonlyMap<string, number>,
    now: Date,
  ): Promise<void>;
  quarantine(loadId: number, records: readonly RejectedRecord[]): Promise<void>;
  /** Records of a load in quarantine, counted there, not by whoever wrote them. */
  quarantined(loadId: number): Promise<number>;

  /** Gathers the ids a full snapshot holds (called batch by batch). */
  addSnapshotIds(ids: readonly RecordId[]): Promise<void>;
  /** Live records of a kind, and those among them whose id the gathered snapshot lacks. */
  snapshotShortfall(kind: DeliveryKind): Promise<{ live: number; absent: number }>;
  /** Marks the live records the snapshot lacks deleted by the load; returns their creation dates. */
  deleteAbsent(kind: DeliveryKind, loadId: number, at: string): Promise<string[]>;

  /** Recomputes the weekly totals of the weeks given, and the calendar built from them. */
  refreshRollups(
    touched: Readonly<Record<DeliveryKind, readonly string[]>>,
    now: Date,
  ): Promise<void>;
  /** A read query's rows (unqualified names), values as SQLite reads give them. */
  read(sql: string): Promise<Record<string, unknown>[]>;
  /**
   * For each check, in order, how many rows it lists and the smallest of their ids; `now` binds
   * `@now`. An engine may test several checks in one pass (see {@link Check.row}).
   */
  findings(checks: readonly Check[], now: string): Promise<Findings[]>;
  /** Stores one run of the checks in `check_runs` and `check_results`; returns its id. */
  storeChecks(
    checkedAt: string,
    runId: number | null,
    results: readonly CheckResult[],
  ): Promise<number>;
  /** The weekly answer, from the rollups. */
  weeklyAnswer(now?: Date): Promise<WeeklyAnswer>;
}

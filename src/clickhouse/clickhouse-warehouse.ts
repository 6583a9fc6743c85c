import { randomUUID } from "node:crypto";
import { summarizeWeeks, type WeeklyAnswer } from "../analysis/weekly-series.js";
import { weeklyCalendar } from "../analysis/weekly-calendar.js";
import type { Check } from "../check/checks.js";
import { SAMPLE_SIZE, type CheckResult } from "../check/run-checks.js";
import type { StoredRecord } from "../load/merge-rule.js";
import type { RecordId } from "../load/merger.js";
import { DELIVERY_KINDS, type DeliveryKind } from "../model/kinds.js";
import { loadIdOf } from "../model/load-id.js";
import { timeWindow } from "../validate/parse-value.js";
import type { LoadStart, LoadTally, RejectedRecord } from "../warehouse/loads-log.js";
import type { Findings, Warehouse } from "../warehouse/warehouse.js";
import { commitRun, currentRecords, recoverInterruptedCommit } from "./clickhouse-commit.js";
import { readTotals } from "./clickhouse-rollups.js";
import { jsonValue, type ClickHouseServers } from "./clickhouse-connection.js";
import { localName, RECORD_COLUMNS } from "./clickhouse-schema.js";
import { ClickHouseStore } from "./clickhouse-store.js";
import { emptyChanges, finishedLoad, openedLoad, type RunChanges } from "./run-changes.js";
import { sqlInteger, sqlString } from "./sql-literal.js";

/**
 * A ClickHouse warehouse: records sharded by id over the target's servers, one row per id as
 * readers see them. A run stages what the merge decided (`<kind>_stage`, the quarantine in
 * `rejected_stage`, its loads in memory); {@link commit} makes it visible all at once (see
 * `clickhouse-commit.ts`).
 */
export class ClickHouseWarehouse extends ClickHouseStore implements Warehouse {
  readonly name: string;
  private changes: RunChanges = emptyChanges();

  constructor(servers: ClickHouseServers, name: string) {
    super(servers);
    this.name = name;
  }

  async historyId(): Promise<string> {
    const [row] = await this.servers.rows(
      `SELECT history_id FROM ${this.table("warehouse_history")}`,
    );
    if (row?.[0] !== undefined) return String(row[0]);
    const id = randomUUID();
    await this.servers.insert(this.table("warehouse_history"), [{ history_id: id }]);
    return id;
  }
  async adoptHistoryId(id: string): Promise<void> {
    await this.servers.exec(`TRUNCATE TABLE ${this.table("warehouse_history")}`);
    await this.servers.insert(this.table("warehouse_history"), [{ history_id: id }]);
  }
  async runs(): Promise<number[]> {
    const rows = await this.servers.rows(
      `SELECT DISTINCT run_id FROM ${this.table("loads")} ORDER BY run_id`,
    );
    return rows.map(([run]) => Number(run));
  }

  /** Begins a run: first settles a commit a killed run left, then clears what it staged. */
  async begin(): Promise<void> {
    this.committed = await recoverInterruptedCommit(this.servers);
    await this.clearStaging();
    this.seq = 0;
  }
  async commit(): Promise<void> {
    for (const kind of DELIVERY_KINDS) await this.flush(kind);
    await commitRun(this.servers, this.changes, this.committed);
    await this.clearStaging();
  }
  /** Undoes whatever part of a failed commit was swapped in, then clears what the run staged. */
  async rollback(): Promise<void> {
    await recoverInterruptedCommit(this.servers);
    await this.clearStaging();
  }
  async close(): Promise<void> {
    await this.servers.close();
  }

  async previousLoad(
    sha256: string,
    kind: DeliveryKind,
    delivery: LoadStart["delivery"],
  ): Promise<number | undefined> {
    const [row] = await this.servers.rows(
      `SELECT load_id FROM ${this.table("loads")} WHERE sha256 = ${sqlString(sha256)}
         AND ${loadedAs(kind, delivery)} ORDER BY load_id LIMIT 1`,
    );
    return row === undefined ? undefined : Number(row[0]);
  }
  async loadedSize(
    sizeBytes: number,
    kind: DeliveryKind,
    delivery: LoadStart["delivery"],
  ): Promise<boolean> {
    const rows = await this.servers.rows(
      `SELECT 1 FROM ${this.table("loads")} WHERE size_bytes = ${sqlInteger(sizeBytes)}
         AND ${loadedAs(kind, delivery)} LIMIT 1`,
    );
    return rows.length > 0;
  }
  async recordsRead(loadId: number): Promise<number> {
    const running = this.changes.loads.get(loadId);
    if (running !== undefined) return running.records_read;
    return this.servers.count(
      `SELECT records_read FROM ${this.table("loads")} WHERE load_id = ${sqlInteger(loadId)}`,
    );
  }
  async newestDate(kind: DeliveryKind): Promise<string | null> {
    const [row] = await this.servers.rows(
      `SELECT max(last_date) FROM ${this.table("loads")} WHERE kind = ${sqlString(kind)}`,
    );
    const inRun = [...this.changes.loads.values()].filter((load) => load.kind === kind);
    const dates = [row?.[0], ...inRun.map((load) => load.last_date)];
    const known = dates.filter((date): date is string => typeof date === "string" && date !== "");
    return known.reduce<string | null>(
      (newest, date) => (newest === null || date > newest ? date : newest),
      null,
    );
  }
  startLoad(load: LoadStart, now: Date): Promise<number> {
    return Promise.resolve(this.openLoad(load, now, "running"));
  }
  recordAlreadyLoaded(load: LoadStart, now: Date): Promise<number> {
    return Promise.resolve(this.openLoad(load, now, "already-loaded"));
  }
  finishLoad(
    loadId: number,
    tally: LoadTally,
    unknownKeys: ReadonlyMap<string, number>,
    now: Date,
  ): Promise<void> {
    const row = this.changes.loads.get(loadId);
    if (row === undefined) throw new Error(`no load ${String(loadId)} in this run`);
    Object.assign(row, finishedLoad(tally, now));
    for (const [key, records] of unknownKeys) {
      this.changes.unknownKeys.push({ load_id: loadId, key, records });
    }
    return Promise.resolve();
  }
  async quarantine(loadId: number, records: readonly RejectedRecord[]): Promise<void> {
    await this.servers.insert(
      this.table("rejected_stage"),
      records.map((record) => ({
        load_id: loadId,
        record_number: record.recordNumber,
        line: record.line,
        reason: record.reason,
        raw: record.raw,
      })),
    );
  }
  quarantined(loadId: number): Promise<number> {
    return this.servers.count(
      `SELECT count() FROM ${this.table("rejected_stage")} WHERE load_id = ${sqlInteger(loadId)}`,
    );
  }

  recordConflicts(losers: readonly StoredRecord[]): Promise<void> {
    for (const { row, loadId } of losers) {
      const [voteId, postId, voteTypeId, userId, bountyAmount, creationDate] = row.map(jsonValue);
      this.changes.conflicts.push({
        vote_id: voteId,
        load_id: loadId,
        post_id: postId,
        vote_type_id: voteTypeId,
        user_id: userId,
        bounty_amount: bountyAmount,
        creation_date: creationDate,
      });
    }
    return Promise.resolve();
  }

  async addSnapshotIds(ids: readonly RecordId[]): Promise<void> {
    await this.servers.insert(
      this.writable("snapshot_ids"),
      ids.map((id) => ({ id: jsonValue(id) })),
    );
  }

  async snapshotShortfall(kind: DeliveryKind): Promise<{ live: number; absent: number }> {
    await this.flush(kind);
    const count = async (extra: string): Promise<number> =>
      await this.servers.count(
        `SELECT count() FROM ${currentRecords(this.db, kind, this.committed, extra)}`,
      );
    return {
      live: await count(""),
      absent: await count(` AND id GLOBAL NOT IN (SELECT id FROM ${this.table("snapshot_ids")})`),
    };
  }

  async deleteAbsent(kind: DeliveryKind, loadId: number, at: string): Promise<string[]> {
    await this.flush(kind);
    const seq = ++this.seq;
    const columns = RECORD_COLUMNS[kind].map((column) =>
      column === "deleted_by_load_id"
        ? `toNullable(toInt64(${sqlInteger(loadId)})) AS deleting_load`
        : column === "deleted_at"
          ? `toNullable(${sqlString(at)}) AS deleting_at`
          : column,
    );
    const absent = ` AND id GLOBAL NOT IN (SELECT id FROM ${this.table("snapshot_ids")})`;
    await this.servers.exec(
      `INSERT INTO ${this.writable(`${kind}_stage`)} (${RECORD_COLUMNS[kind].join(", ")}, seq)
       SELECT ${columns.join(", ")}, toUInt64(${sqlInteger(seq)}) FROM ${currentRecords(this.db, kind, this.committed, absent)}`,
    );
    await this.servers.everywhere(`TRUNCATE TABLE ${this.db}.${localName("snapshot_ids")}`);
    const rows = await this.servers.rows(
      `SELECT creation_date FROM ${this.table(`${kind}_stage`)} WHERE seq = ${sqlInteger(seq)}`,
    );
    return rows.map(([date]) => String(date));
  }

  refreshRollups(touched: Readonly<Record<DeliveryKind, readonly string[]>>): Promise<void> {
    for (const kind of DELIVERY_KINDS)
      for (const week of touched[kind]) this.changes.weeks[kind].add(week);
    return Promise.resolve();
  }

  read(sql: string): Promise<Record<string, unknown>[]> {
    return this.servers.records(sql);
  }
  async findings(checks: readonly Check[], now: string): Promise<Findings[]> {
    const found: Findings[] = [];
    for (const check of checks) {
      const sql = (check.clickhouse ?? check.sql).replaceAll("@now", sqlString(now));
      const [row] = await this.servers.rows(
        `SELECT count(), arraySlice(arraySort(groupArray(id)), 1, ${String(SAMPLE_SIZE)}) FROM (${sql})`,
      );
      found.push({
        failing: Number(row?.[0] ?? 0),
        sample: JSON.parse(String(row?.[1] ?? "[]")) as number[],
      });
    }
    return found;
  }
  async storeChecks(
    checkedAt: string,
    runId: number | null,
    results: readonly CheckResult[],
  ): Promise<number> {
    const checkRunId = Date.now();
    await this.servers.insert(
      this.table("check_results"),
      results.map(({ name, severity, failing, sample }) => ({
        check_run_id: checkRunId,
        name,
        severity,
        failing,
        sample_ids: JSON.stringify(sample),
      })),
    );
    await this.servers.insert(this.table("check_runs"), [
      { check_run_id: checkRunId, checked_at: checkedAt, run_id: runId },
    ]);
    return checkRunId;
  }

  async weeklyAnswer(now: Date = new Date()): Promise<WeeklyAnswer> {
    const { votes, posts } = await readTotals(this.servers);
    return summarizeWeeks(weeklyCalendar(votes, posts, timeWindow(now.getTime())));
  }

  private openLoad(load: LoadStart, now: Date, outcome: string): number {
    const inRun = [...this.changes.loads.values()].filter((row) => row.run_id === load.runId);
    const loadId = loadIdOf(load.runId, inRun.length + 1);
    this.changes.loads.set(loadId, openedLoad(load, loadId, now, outcome));
    return loadId;
  }

  /** Empties what a run stages, on every server, and forgets the run's changes. */
  private async clearStaging(): Promise<void> {
    this.pending = { posts: [], votes: [] };
    this.changes = emptyChanges();
    for (const kind of DELIVERY_KINDS) {
      for (const suffix of ["stage", "next"]) {
        await this.servers.everywhere(
          `TRUNCATE TABLE ${this.db}.${localName(`${kind}_${suffix}`)}`,
        );
      }
    }
    await this.servers.everywhere(`TRUNCATE TABLE ${this.db}.${localName("snapshot_ids")}`);
    await this.servers.exec(`TRUNCATE TABLE ${this.table("rejected_stage")}`);
  }
}

/**
 * The loads that make loading the same bytes again pointless (as `LoadsLog` says on SQLite):
 * successful loads of the kind; as a snapshot, bytes loaded as an increment still count as new.
 */
function loadedAs(kind: DeliveryKind, delivery: LoadStart["delivery"]): string {
  return `kind = ${sqlString(kind)} AND outcome = 'loaded'
         AND (delivery = 'snapshot' OR ${sqlString(delivery)} = 'increment')`;
}

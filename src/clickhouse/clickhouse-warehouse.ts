import { randomUUID } from "node:crypto";
import { summarizeWeeks, type WeeklyAnswer } from "../analysis/weekly-series.js";
import { weeklyCalendar } from "../analysis/weekly-calendar.js";
import type { Check } from "../check/checks.js";
import { SAMPLE_SIZE, type CheckResult } from "../check/run-checks.js";
import { splitTags } from "../load/split-tags.js";
import type { StoredRecord } from "../load/merge-rule.js";
import type { RecordId } from "../load/merger.js";
import type { FieldValue } from "../model/field.js";
import { KINDS, type DeliveryKind } from "../model/kinds.js";
import { timeWindow } from "../validate/parse-value.js";
import type { LoadStart, LoadTally, RejectedRecord } from "../warehouse/loads-log.js";
import type { Warehouse } from "../warehouse/warehouse.js";
import {
  commitRun,
  currentRecords,
  readTotals,
  recoverInterruptedCommit,
  type LoadRow,
  type RunChanges,
} from "./clickhouse-commit.js";
import { jsonValue, type ClickHouseServers } from "./clickhouse-connection.js";
import { localName, RECORD_COLUMNS } from "./clickhouse-schema.js";
import { sqlInteger, sqlString } from "./sql-literal.js";

const KIND_LIST = ["posts", "votes"] as const;
/** Staged records are sent this many at a time (posts carry their bodies). */
const FLUSH_ROWS: Readonly<Record<DeliveryKind, number>> = { posts: 5_000, votes: 50_000 };
/** Ids looked up this many to a query, to stay well inside ClickHouse's query size. */
const LOOKUP_IDS = 5_000;
const TAGS = KINDS.posts.fields.findIndex((field) => field.column === "tags");

/**
 * A ClickHouse warehouse: records sharded by id over the target's servers, one row per id. A run
 * stages what the merge decided (`<kind>_stage`, the quarantine in `rejected_stage`, its loads in
 * memory); {@link commit} swaps the partitions it touched into `<kind>_all` and writes the audit,
 * so readers never see half a run (see `clickhouse-commit.ts`).
 */
export class ClickHouseWarehouse implements Warehouse {
  readonly name: string;
  private readonly servers: ClickHouseServers;
  private readonly db: string;
  private seq = 0;
  private nextLoadId = 1;
  private pending: Record<DeliveryKind, object[]> = { posts: [], votes: [] };
  private changes: RunChanges = emptyChanges();

  constructor(servers: ClickHouseServers, name: string) {
    this.servers = servers;
    this.db = servers.target.database;
    this.name = name;
  }

  /** A table's name to query: the Distributed table (or view) of a sharded table. */
  private table(name: string): string {
    return `${this.db}.${name}`;
  }

  /** A sharded table's name to insert into: the Distributed table, or on one server the table. */
  private writable(name: string): string {
    return `${this.db}.${this.servers.target.cluster === undefined ? localName(name) : name}`;
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
    await recoverInterruptedCommit(this.servers);
    await this.clearStaging();
    this.nextLoadId =
      (await this.servers.count(`SELECT max(load_id) FROM ${this.table("loads")}`)) + 1;
    this.seq = 0;
  }
  async commit(): Promise<void> {
    for (const kind of KIND_LIST) await this.flush(kind);
    await commitRun(this.servers, this.changes);
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
         AND kind = ${sqlString(kind)} AND outcome = 'loaded'
         AND (delivery = 'snapshot' OR ${sqlString(delivery)} = 'increment')
       ORDER BY load_id LIMIT 1`,
    );
    return row === undefined ? undefined : Number(row[0]);
  }
  async recordsRead(loadId: number): Promise<number> {
    const running = this.changes.loads.get(loadId);
    if (running !== undefined) return running.records_read;
    return this.servers.count(
      `SELECT records_read FROM ${this.table("loads")} WHERE load_id = ${sqlInteger(loadId)}`,
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
    Object.assign(row, {
      outcome: "loaded",
      loaded_at: now.toISOString(),
      records_read: tally.read,
      inserted: tally.inserted,
      updated: tally.updated,
      unchanged: tally.unchanged,
      rejected: tally.rejected,
      deleted: tally.deleted,
      restored: tally.restored,
      conflicts: tally.conflicts,
      rules_version: tally.rulesVersion,
      expected_records: tally.expectedRecords,
      known_ids: tally.knownIds,
      min_id: jsonValue(tally.minId),
      max_id: jsonValue(tally.maxId),
      first_date: tally.firstDate,
      last_date: tally.lastDate,
    });
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

  async maxId(kind: DeliveryKind): Promise<RecordId | null> {
    const [row] = await this.servers.rows(
      `SELECT max(id), count() FROM ${this.table(`${kind}_all`)}`,
    );
    return row?.[1] === 0 ? null : (row?.[0] as RecordId);
  }

  async lookup(
    kind: DeliveryKind,
    ids: readonly RecordId[],
  ): Promise<ReadonlyMap<string, StoredRecord>> {
    const found = new Map<string, StoredRecord>();
    if (ids.length === 0) return found;
    await this.flush(kind);
    const columns = RECORD_COLUMNS[kind].join(", ");
    const width = KINDS[kind].fields.length;
    for (let at = 0; at < ids.length; at += LOOKUP_IDS) {
      const list = ids
        .slice(at, at + LOOKUP_IDS)
        .map(sqlInteger)
        .join(", ");
      const stored = await this.servers.rows(
        `SELECT ${columns}, 0 AS seq FROM ${this.table(`${kind}_all`)} WHERE id IN (${list})
         UNION ALL
         SELECT ${columns}, seq FROM ${this.table(`${kind}_stage`)} WHERE id IN (${list})`,
      );
      const latest = new Map<string, { seq: number; values: FieldValue[] }>();
      for (const values of stored) {
        const key = String(values[0]);
        const seq = Number(values.at(-1));
        if ((latest.get(key)?.seq ?? -1) < seq)
          latest.set(key, { seq, values: values as FieldValue[] });
      }
      for (const [key, { values }] of latest) {
        found.set(key, {
          row: values.slice(0, width),
          loadId: Number(values[width]),
          deleted: values[width + 1] !== null,
        });
      }
    }
    return found;
  }

  async write(kind: DeliveryKind, records: readonly StoredRecord[]): Promise<void> {
    const fields = KINDS[kind].fields;
    for (const { row, loadId } of records) {
      const staged: Record<string, unknown> = {
        load_id: loadId,
        deleted_by_load_id: null,
        deleted_at: null,
        seq: ++this.seq,
      };
      fields.forEach((field, index) => {
        staged[field.column] = jsonValue(row[index] ?? null);
      });
      if (kind === "posts") {
        const tags = row[TAGS];
        staged.tags_array = splitTags(typeof tags === "string" ? tags : null);
      }
      this.pending[kind].push(staged);
    }
    if (this.pending[kind].length >= FLUSH_ROWS[kind]) await this.flush(kind);
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
      await this.servers.count(`SELECT count() FROM ${currentRecords(this.db, kind, extra)}`);
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
       SELECT ${columns.join(", ")}, toUInt64(${sqlInteger(seq)}) FROM ${currentRecords(this.db, kind, absent)}`,
    );
    await this.servers.everywhere(`TRUNCATE TABLE ${this.db}.${localName("snapshot_ids")}`);
    const rows = await this.servers.rows(
      `SELECT creation_date FROM ${this.table(`${kind}_stage`)} WHERE seq = ${sqlInteger(seq)}`,
    );
    return rows.map(([date]) => String(date));
  }

  refreshRollups(touched: Readonly<Record<DeliveryKind, readonly string[]>>): Promise<void> {
    for (const kind of KIND_LIST)
      for (const week of touched[kind]) this.changes.weeks[kind].add(week);
    return Promise.resolve();
  }

  read(sql: string): Promise<Record<string, unknown>[]> {
    return this.servers.records(sql);
  }
  async findings(check: Check, now: string): Promise<{ failing: number; sample: number[] }> {
    const sql = (check.clickhouse ?? check.sql).replaceAll("@now", sqlString(now));
    const [row] = await this.servers.rows(
      `SELECT count(), arraySlice(arraySort(groupArray(id)), 1, ${String(SAMPLE_SIZE)}) FROM (${sql})`,
    );
    return {
      failing: Number(row?.[0] ?? 0),
      sample: JSON.parse(String(row?.[1] ?? "[]")) as number[],
    };
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
    const loadId = this.nextLoadId++;
    this.changes.loads.set(loadId, {
      load_id: loadId,
      run_id: load.runId,
      kind: load.kind,
      source_path: load.sourcePath,
      size_bytes: load.sizeBytes,
      sha256: load.sha256,
      arrived_at: load.arrivedAt,
      loaded_at: now.toISOString(),
      source: load.source,
      outcome,
      delivery: load.delivery,
      records_read: 0,
      ...ZERO_COUNTS,
    });
    return loadId;
  }

  private async flush(kind: DeliveryKind): Promise<void> {
    const rows = this.pending[kind];
    if (rows.length === 0) return;
    this.pending[kind] = [];
    await this.servers.insert(this.writable(`${kind}_stage`), rows);
  }

  /** Empties what a run stages, on every server, and forgets the run's changes. */
  private async clearStaging(): Promise<void> {
    this.pending = { posts: [], votes: [] };
    this.changes = emptyChanges();
    for (const kind of KIND_LIST) {
      for (const suffix of ["stage", "next", "undo"]) {
        await this.servers.everywhere(
          `TRUNCATE TABLE ${this.db}.${localName(`${kind}_${suffix}`)}`,
        );
      }
    }
    await this.servers.everywhere(`TRUNCATE TABLE ${this.db}.${localName("snapshot_ids")}`);
    await this.servers.exec(`TRUNCATE TABLE ${this.table("rejected_stage")}`);
  }
}

const ZERO_COUNTS = {
  inserted: 0,
  updated: 0,
  unchanged: 0,
  rejected: 0,
  deleted: 0,
  restored: 0,
  conflicts: 0,
  rules_version: null,
  expected_records: null,
  known_ids: null,
  min_id: null,
  max_id: null,
  first_date: null,
  last_date: null,
};

function emptyChanges(): RunChanges {
  return {
    loads: new Map<number, LoadRow>(),
    conflicts: [],
    unknownKeys: [],
    weeks: { posts: new Set(), votes: new Set() },
  };
}

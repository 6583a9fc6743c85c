import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll } from "vitest";
import {
  clickHouseDestination,
  dropDatabase,
} from "../../src/clickhouse/clickhouse-destination.js";
import { clickHouseReadQuery } from "../../src/clickhouse/clickhouse-query.js";
import { parseTarget, type ClickHouseTarget } from "../../src/clickhouse/target-url.js";
import { sqliteDestination } from "../../src/warehouse/sqlite-warehouse.js";
import type { Destination } from "../../src/warehouse/warehouse.js";
import { removeDatabase } from "../../src/run/warehouse-file.js";

const URL = process.env.STACKHOUSE_CLICKHOUSE_URL;
if (URL === undefined) {
  if (process.env.STACKHOUSE_REQUIRE_CLICKHOUSE === "1") {
    throw new Error("STACKHOUSE_CLICKHOUSE_URL is not set");
  }
  console.warn("SKIPPED: ClickHouse runs (set STACKHOUSE_CLICKHOUSE_URL, as .ci/run does)");
}

/** The ClickHouse servers the tests may use, when there are any. */
export const CLICKHOUSE_URL = URL;

/** A fresh, empty warehouse of one engine, in a test's own folder or database. */
export interface TestWarehouse {
  /** The command-line options that name it. */
  readonly args: readonly string[];
  readonly destination: Destination;
  /** A read query's rows as objects, integers as numbers (bigint beyond 2^53). */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** Deletes the warehouse (the file, or the database), keeping its landing archive. */
  drop(): Promise<void>;
  /** The run lock's file: beside a SQLite file, beside a ClickHouse target's landing archive. */
  readonly lockPath: string;
  /**
   * Every row readers see of the records, lineage and audit tables, in a stable order: compare a
   * warehouse before and after with `toEqual`. Columns named in `omit` are left out.
   */
  dump(omit?: Partial<Record<DumpedTable, readonly string[]>>): Promise<Record<string, unknown[]>>;
}

/** Each dumped table, with its key: ClickHouse 18.16 takes `ORDER BY 1` as a constant. */
const DUMPED = {
  posts: "id",
  votes: "id",
  post_tags: "post_id, tag",
  loads: "load_id",
  rejected_records: "load_id, record_number",
  load_unknown_keys: "load_id, key",
  vote_conflicts: "vote_id, load_id",
  weekly_votes_all_weeks: "week_start",
} as const;
type DumpedTable = keyof typeof DUMPED;

async function dump(
  rows: TestWarehouse["rows"],
  omit: Partial<Record<DumpedTable, readonly string[]>> = {},
): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const [table, key] of Object.entries(DUMPED) as [DumpedTable, string][]) {
    const dropped = omit[table] ?? [];
    tables[table] = (await rows(`SELECT * FROM ${table} ORDER BY ${key}`)).map((row) =>
      Object.fromEntries(Object.entries(row).filter(([column]) => !dropped.includes(column))),
    );
  }
  return tables;
}

/** One engine the acceptance suite runs against. */
export interface Engine {
  readonly name: "sqlite" | "clickhouse";
  fresh(dir: string): Promise<TestWarehouse>;
}

/** The embedded engine, the reference the others are held to. */
export const SQLITE: Engine = {
  name: "sqlite",
  fresh(dir) {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, "w.db");
    const rows = (sql: string): Promise<Record<string, unknown>[]> => {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        return Promise.resolve(db.prepare(sql).all() as Record<string, unknown>[]);
      } finally {
        db.close();
      }
    };
    return Promise.resolve({
      args: ["--db", path],
      destination: sqliteDestination(path),
      rows,
      drop: () => removeDatabase(path),
      lockPath: `${path}.lock`,
      dump: (omit) => dump(rows, omit),
    });
  },
};

/** The ClickHouse databases this test file made, dropped when it ends. */
const created: ClickHouseTarget[] = [];
afterAll(async () => {
  for (const target of created.splice(0)) await dropDatabase(target);
});

const clickhouse: Engine = {
  name: "clickhouse",
  async fresh(dir) {
    const base = parseTarget(URL ?? "");
    const database = `stackhouse_test_${Math.random().toString(36).slice(2, 10)}`;
    const target = { ...base, database };
    const url = (URL ?? "").replace(/\/[^/?]+(\?|$)/, `/${database}$1`);
    const archive = join(dir, "clickhouse.landing");
    await dropDatabase(target);
    created.push(target);
    const warehouse: TestWarehouse = {
      args: ["--target", url, "--archive", archive],
      destination: clickHouseDestination(url, archive),
      async rows(sql) {
        const { columns, batches } = await clickHouseReadQuery(target, sql, {
          limit: 0,
          timeoutSeconds: 0,
        });
        const rows: Record<string, unknown>[] = [];
        for await (const batch of batches) {
          for (const row of batch) {
            rows.push(Object.fromEntries(columns.map((name, index) => [name, row[index]])));
          }
        }
        return rows;
      },
      drop: () => dropDatabase(target),
      lockPath: `${archive}.lock`,
      dump: (omit) => dump((sql) => warehouse.rows(sql), omit),
    };
    return warehouse;
  },
};

/** Every engine the suite can run against here: SQLite, and ClickHouse when servers are given. */
export const ENGINES: readonly Engine[] = URL === undefined ? [SQLITE] : [SQLITE, clickhouse];

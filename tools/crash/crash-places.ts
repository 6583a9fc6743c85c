import { createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ClickHouseServers } from "../../src/clickhouse/clickhouse-connection.js";
import {
  clickHouseDestination,
  dropDatabase,
} from "../../src/clickhouse/clickhouse-destination.js";
import { physicalTables, schemaStatements } from "../../src/clickhouse/clickhouse-schema.js";
import { parseTarget, type ClickHouseTarget } from "../../src/clickhouse/target-url.js";

/** The lineage of a committed load: its run, kind and file. */
export interface LoadLineage {
  readonly run_id: number;
  readonly kind: string;
  readonly sha256: string;
}

/** A warehouse the harness works on: a SQLite file in a folder, or a ClickHouse database. */
export interface Place {
  /** The folder that holds its files, or its archive. */
  readonly folder: string;
  /** The command-line options that name it. */
  readonly args: readonly string[];
  readonly archiveDir: string;
  /**
   * What readers see of it, as one digest, or "absent". Run and load ids are left out: a run
   * killed before it committed may use up its number.
   */
  digest(): Promise<string>;
  /** Damage the engine itself reports (SQLite's integrity check), once a run has completed. */
  damage(): Promise<string[]>;
  /** The committed loads, by run. */
  loads(): Promise<LoadLineage[]>;
  /** Deletes the warehouse, keeping its landing archive. */
  drop(): Promise<void>;
  /** Deletes the warehouse and its folder. */
  dispose(): Promise<void>;
}

/** Where the harness makes warehouses: SQLite files, or databases of one ClickHouse target. */
export interface HarnessEngine {
  readonly name: "sqlite" | "clickhouse";
  /** A warehouse (not created yet) whose files or archive live in `folder`. */
  place(folder: string): Place;
  /** A copy of a warehouse and its archive, in `folder`. */
  copy(from: Place, folder: string): Promise<Place>;
}

const DIGESTED = [
  "SELECT * FROM posts ORDER BY id",
  "SELECT * FROM votes ORDER BY id",
  "SELECT * FROM post_tags ORDER BY post_id, tag",
  "SELECT * FROM weekly_vote_totals ORDER BY week_start",
  "SELECT * FROM weekly_post_totals ORDER BY week_start",
  "SELECT * FROM rejected_records ORDER BY load_id, record_number",
  `SELECT kind, sha256, records_read, inserted, updated, unchanged, rejected
   FROM loads WHERE outcome = 'loaded' ORDER BY load_id`,
] as const;
const LINEAGE = "SELECT DISTINCT run_id, kind, sha256 FROM loads ORDER BY run_id, kind";

async function digestOf(rows: (sql: string) => Promise<Record<string, unknown>[]>) {
  const hash = createHash("sha256");
  for (const sql of DIGESTED) {
    for (const { load_id: _loadId, ...row } of await rows(sql)) hash.update(JSON.stringify(row));
    hash.update("|");
  }
  return hash.digest("hex");
}

/** SQLite warehouses: `warehouse.db` and its archive in a folder, copied as files. */
export const SQLITE_PLACES: HarnessEngine = {
  name: "sqlite",
  place(folder) {
    const path = join(folder, "warehouse.db");
    const read = <T>(work: (db: Database.Database) => T): T => {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        return work(db);
      } finally {
        db.close();
      }
    };
    const rows = (sql: string): Promise<Record<string, unknown>[]> =>
      Promise.resolve(read((db) => db.prepare(sql).all() as Record<string, unknown>[]));
    return {
      folder,
      args: ["--db", path],
      archiveDir: `${path}.landing`,
      digest: () => (existsSync(path) ? digestOf(rows) : Promise.resolve("absent")),
      damage: () =>
        Promise.resolve(
          read((db) => {
            const integrity = db.pragma("integrity_check", { simple: true });
            return integrity === "ok" ? [] : [`integrity_check: ${String(integrity)}`];
          }),
        ),
      loads: async () => (await rows(LINEAGE)) as unknown as LoadLineage[],
      drop() {
        rmSync(path, { force: true });
        return Promise.resolve();
      },
      dispose() {
        rmSync(folder, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  },
  copy(from, folder) {
    cpSync(from.folder, folder, { recursive: true });
    return Promise.resolve(this.place(folder));
  },
};

/**
 * ClickHouse warehouses: one database of the target per folder (its name drawn at random), the
 * archive in the folder; copied table by table on every server.
 */
export function clickHousePlaces(url: string): HarnessEngine {
  const base = parseTarget(url);
  const prefix = `stackhouse_crash_${randomBytes(3).toString("hex")}`;
  let count = 0;
  const targets = new Map<Place, ClickHouseTarget>();
  const withServers = async <T>(
    target: ClickHouseTarget,
    work: (servers: ClickHouseServers) => Promise<T>,
    bare = false,
  ): Promise<T> => {
    const servers = new ClickHouseServers(target, bare);
    try {
      return await work(servers);
    } finally {
      await servers.close();
    }
  };
  return {
    name: "clickhouse",
    place(folder) {
      const target = { ...base, database: `${prefix}_${String(++count)}` };
      const targetUrl = url.replace(/\/[^/?]+(\?|$)/, `/${target.database}$1`);
      const archiveDir = join(folder, "clickhouse.landing");
      const destination = clickHouseDestination(targetUrl, archiveDir);
      const rows = (sql: string): Promise<Record<string, unknown>[]> =>
        withServers(target, (servers) => servers.records(sql));
      const place: Place = {
        folder,
        args: ["--target", targetUrl, "--archive", archiveDir],
        archiveDir,
        digest: async () => ((await destination.isMissing()) ? "absent" : digestOf(rows)),
        damage: () => Promise.resolve([]),
        loads: async () =>
          (await rows(LINEAGE)).map((row) => ({
            run_id: Number(row.run_id),
            kind: String(row.kind),
            sha256: String(row.sha256),
          })),
        drop: () => dropDatabase(target),
        async dispose() {
          await dropDatabase(target);
          rmSync(folder, { recursive: true, force: true });
        },
      };
      targets.set(place, target);
      return place;
    },
    async copy(from, folder) {
      const source = targets.get(from);
      if (source === undefined) throw new Error("not a ClickHouse place of this harness");
      const to = this.place(folder);
      const target = targets.get(to) ?? source;
      if (existsSync(from.archiveDir)) cpSync(from.archiveDir, to.archiveDir, { recursive: true });
      if ((await from.digest()) === "absent") return to;
      await withServers(
        target,
        async (servers) => {
          for (let server = 0; server < servers.servers; server++) {
            for (const statement of schemaStatements(target, server)) {
              await servers.exec(statement, server);
            }
            for (const table of physicalTables(server)) {
              await servers.exec(
                `INSERT INTO ${target.database}.${table} SELECT * FROM ${source.database}.${table}`,
                server,
              );
            }
          }
        },
        true,
      );
      return to;
    },
  };
}

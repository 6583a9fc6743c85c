import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { LandingArchive } from "../archive/landing-archive.js";
import { realPath } from "../archive/warehouse-paths.js";
import { StackhouseError } from "../errors.js";
import { acquireRunLock } from "../run/run-lock.js";
import type { Destination, Warehouse } from "../warehouse/warehouse.js";
import { ClickHouseServers } from "./clickhouse-connection.js";
import { physicalTables, schemaStatements, TYPE_NAMES } from "./clickhouse-schema.js";
import { ClickHouseWarehouse } from "./clickhouse-warehouse.js";
import { sqlString } from "./sql-literal.js";
import { parseTarget, type ClickHouseTarget } from "./target-url.js";

/**
 * Where a ClickHouse target's landing archive is kept unless told otherwise: a folder per server
 * and database under the user's data folder (`$XDG_DATA_HOME/stackhouse/clickhouse/`).
 *
 * @example
 * defaultArchiveDir(parseTarget("clickhouse://127.0.0.1:8123/stackhouse"));
 * // "~/.local/share/stackhouse/clickhouse/127.0.0.1_8123/stackhouse.landing"
 */
export function defaultArchiveDir(target: ClickHouseTarget): string {
  const data = process.env.XDG_DATA_HOME ?? join(homedir(), ".local", "share");
  const server = (target.hosts[0] ?? "").replace(/^https?:\/\//, "").replace(/[^\w.-]/g, "_");
  return join(data, "stackhouse", "clickhouse", server, `${target.database}.landing`);
}

/**
 * A ClickHouse warehouse as a {@link Destination}: the same runs as SQLite's, its landing archive
 * in a local folder ({@link defaultArchiveDir}, or `archiveDir`), and re-creations built in a
 * scratch database (`<database>_building`) whose tables are renamed into place once complete.
 *
 * @example
 * const destination = clickHouseDestination("clickhouse://127.0.0.1:8123/stackhouse");
 * await ingest({ warehouse: destination, posts: "Posts.json", votes: "Votes.json" });
 */
export function clickHouseDestination(url: string, archiveDir?: string): Destination {
  const target = parseTarget(url);
  const dir = archiveDir ?? defaultArchiveDir(target);
  const scratch: ClickHouseTarget = { ...target, database: `${target.database}_building` };
  /** Present while a re-created warehouse's tables are renamed into place. */
  const swapping = `${dir}.swapping`;
  const archive = new LandingArchive(dir);
  const option = `--target ${url}${archiveDir === undefined ? "" : ` --archive ${archiveDir}`}`;

  /**
   * Why the warehouse is not whole: a server holds none of its tables while another holds them
   * (its database dropped, its disk replaced). A first creation moving its tables into place on
   * another machine looks the same for a moment: refusing it then is the safe mistake.
   */
  function notWhole(onServers: readonly Set<string>[]): string | undefined {
    const holding = onServers.map((held, server) =>
      physicalTables(server).some((table) => held.has(table)),
    );
    const lost = holding.indexOf(false);
    if (lost < 0 || !holding.includes(true)) return undefined;
    const archived = archive.read().committed.length > 0;
    return `${url}: the warehouse is not whole: server ${target.hosts[lost] ?? ""} has none of its tables (its database ${target.database} was dropped or lost) while ${target.hosts[holding.indexOf(true)] ?? ""} holds its data; nothing was changed; re-create it from its landing archive: stackhouse rebuild ${option}${archived ? "" : ` (${dir} holds no run: give the archive's folder with --archive)`}`;
  }

  return {
    name: url,
    option,
    ...(archiveDir === undefined && {
      otherArchive: "if it was kept elsewhere, give its folder with --archive",
    }),
    archive,
    ownPaths: [
      { path: realPath(dir), name: "the landing archive of the warehouse" },
      { path: `${realPath(dir)}.lock`, name: "the run lock of the warehouse" },
      { path: realPath(swapping), name: "the re-creation marker of the warehouse" },
    ],
    lock(timeoutMs) {
      mkdirSync(dirname(dir), { recursive: true });
      return acquireRunLock(`${dir}.lock`, url, timeoutMs);
    },
    /** Missing too when a re-creation was cut short while its tables were moved into place. */
    async isMissing() {
      if (existsSync(swapping)) return true;
      const onServers = await tablesOf(target);
      const tables = onServers[0] ?? new Set<string>();
      if (tables.has("loads") && !tables.has("posts_all")) {
        throw new StackhouseError(
          "WAREHOUSE",
          `${url}: a warehouse made by an older stackhouse, which kept every version of a record and no landing archive; drop the database (DROP DATABASE ${target.database}) and ingest its deliveries again`,
        );
      }
      const weekly = tables.has("weekly_vote_totals_by_run.updown_posts_voted");
      if (tables.has("loads") && (!tables.has("weeks_by_run") || !weekly)) {
        throw new StackhouseError(
          "WAREHOUSE",
          `${url}: a warehouse made by an older stackhouse, whose layout this one cannot extend in place (its commits were not seen all at once, or its weekly totals lack the up- and down-vote posts); drop the database (DROP DATABASE ${target.database}) and re-create it from its landing archive: stackhouse rebuild ${option}`,
        );
      }
      return notWhole(onServers) !== undefined || !tables.has("loads");
    },
    async refuseToCreate() {
      return existsSync(swapping) ? undefined : notWhole(await tablesOf(target));
    },
    async open() {
      return new ClickHouseWarehouse(await createSchema(target), url);
    },
    openForReading: () =>
      Promise.resolve(new ClickHouseWarehouse(new ClickHouseServers(target), url)),
    async openScratch() {
      await dropDatabase(scratch);
      return new ClickHouseWarehouse(await createSchema(scratch), url);
    },
    async swapIn(built: Warehouse) {
      await built.close();
      writeFileSync(swapping, `${String(process.pid)}\n`);
      const connection = await createSchema(target);
      try {
        for (let server = 0; server < connection.servers; server++) {
          for (const table of physicalTables(server)) {
            await connection.exec(
              `RENAME TABLE ${target.database}.${table} TO ${scratch.database}.${table}_old, ${scratch.database}.${table} TO ${target.database}.${table}`,
              server,
            );
          }
        }
      } finally {
        await connection.close();
      }
      await dropDatabase(scratch);
      rmSync(swapping, { force: true });
    },
    async discardScratch(built?: Warehouse) {
      await built?.close();
      await dropDatabase(scratch);
    },
    explain: (error) => error,
  };
}

/** Creates the database, tables and views on every server, if missing, with the type names. */
async function createSchema(target: ClickHouseTarget): Promise<ClickHouseServers> {
  const bare = new ClickHouseServers(target, true);
  try {
    for (let server = 0; server < bare.servers; server++) {
      for (const statement of schemaStatements(target, server)) await bare.exec(statement, server);
    }
  } finally {
    await bare.close();
  }
  const connection = new ClickHouseServers(target);
  try {
    for (const [table, rows] of Object.entries(TYPE_NAMES)) {
      const empty =
        (await connection.count(`SELECT count() FROM ${target.database}.${table}`)) === 0;
      if (empty) await connection.insert(`${target.database}.${table}`, rows);
    }
    return connection;
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/** The database's tables on each server, and each of their columns as `table.column`. */
async function tablesOf(target: ClickHouseTarget): Promise<Set<string>[]> {
  const connection = new ClickHouseServers(target, true);
  try {
    const query = `SELECT table, name FROM system.columns WHERE database = ${sqlString(target.database)}`;
    const servers: Set<string>[] = [];
    for (let server = 0; server < connection.servers; server++) {
      const rows = await connection.rows(query, server);
      servers.push(
        new Set(
          rows.flatMap(([table, name]) => [String(table), `${String(table)}.${String(name)}`]),
        ),
      );
    }
    return servers;
  } finally {
    await connection.close();
  }
}

/** Drops a database on every server of a target. */
export async function dropDatabase(target: ClickHouseTarget): Promise<void> {
  const connection = new ClickHouseServers(target, true);
  try {
    await connection.everywhere(`DROP DATABASE IF EXISTS ${target.database}`);
  } finally {
    await connection.close();
  }
}

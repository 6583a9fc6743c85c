import { existsSync } from "node:fs";
import { syncPath } from "../archive/warehouse-paths.js";
import Database from "better-sqlite3";
import { StackhouseError } from "../errors.js";
import { MIGRATIONS, SCHEMA_VERSION } from "./migrations.js";

/**
 * SQLite's page cache for a writing connection: enough to keep a load's index pages hot. 32 MiB
 * was no faster and cost 15 MiB more peak memory (measured with `npm run bench`); 8 MiB slowed
 * the lookups of a re-sent delivery.
 */
const CACHE_KIB = 16 * 1024;

/**
 * The page size of a new warehouse. Post bodies average about 1.5 KB: on SQLite's default 4 KiB
 * pages two posts fill a page and long ones spill to overflow pages, so loading and scanning
 * posts took twice as long as on 16 KiB pages (measured with `npm run bench`). A warehouse keeps
 * the page size it was created with.
 */
const PAGE_BYTES = 16_384;

/** How long a run waits for another run holding the warehouse before giving up. */
export const BUSY_TIMEOUT_MS = 60_000;

/**
 * Opens (creating if needed) a warehouse for writing and brings its schema up to date, so a
 * warehouse made by an older stackhouse upgrades itself. Refuses one made by a newer stackhouse.
 *
 * @example
 * const db = openWarehouse("warehouse.db");
 */
export function openWarehouse(path: string): Database.Database {
  return openForWriting(path, "durable");
}

/**
 * Opens a warehouse being built under a scratch name, which replaces the warehouse only once
 * complete (a first load, a rebuild). A failed build is thrown away whole, so it needs no rollback
 * journal: pages are written once instead of twice. {@link closeScratchWarehouse} makes it a
 * normal WAL warehouse, durable on disk.
 *
 * @example
 * const db = openScratchWarehouse("warehouse.db.building");
 */
export function openScratchWarehouse(path: string): Database.Database {
  return openForWriting(path, "scratch");
}

/** The pragmas of each way of writing: a warehouse in use, or one being built. */
const WRITE_MODES = {
  durable: ["journal_mode = WAL", "synchronous = FULL"],
  scratch: ["journal_mode = OFF", "synchronous = OFF"],
} as const;

/**
 * Marks a SQLite file as a stackhouse warehouse (SQLite's `application_id` header field: "STKH"),
 * so another application's database is never taken for one.
 */
export const APPLICATION_ID = 0x53544b48;

/**
 * Refuses a database that is not a stackhouse warehouse, or is from a newer stackhouse, before
 * anything is written to it: a database is ours when it carries our `application_id`, is empty (no
 * schema and no version yet), or was made by a stackhouse from before the mark (a schema version
 * and a `loads` table).
 */
function refuseForeign(db: Database.Database, path: string): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > SCHEMA_VERSION) throw newerSchema(path, version);
  if (db.pragma("application_id", { simple: true }) === APPLICATION_ID) return;
  if (isEmpty(db)) return;
  const objects = db.prepare("SELECT count(*) FROM sqlite_schema").pluck().get() as number;
  const hasLoads = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'loads'")
    .pluck()
    .get();
  if (version > 0 && hasLoads !== undefined) return;
  throw new StackhouseError(
    "WAREHOUSE",
    `${path}: a SQLite database of another application (${String(objects)} schema objects, no stackhouse mark); stackhouse changes nothing in it: give another --db`,
  );
}

/** A database with no schema and no version yet: a warehouse about to be created. */
function isEmpty(db: Database.Database): boolean {
  const objects = db.prepare("SELECT count(*) FROM sqlite_schema").pluck().get() as number;
  return objects === 0 && db.pragma("user_version", { simple: true }) === 0;
}

function openForWriting(path: string, mode: keyof typeof WRITE_MODES): Database.Database {
  const db = connect(path, false);
  try {
    refuseForeign(db, path);
    if (isEmpty(db)) db.pragma(`page_size = ${String(PAGE_BYTES)}`);
    for (const pragma of WRITE_MODES[mode]) db.pragma(pragma);
    db.pragma(`cache_size = -${String(CACHE_KIB)}`);
    migrate(db, path);
    if (mode === "scratch") deferIndexes(db);
    return db;
  } catch (error) {
    db.close();
    throw asWarehouseError(path, error);
  }
}

/**
 * Indexes that only serve analysts' queries, not the load: on a scratch warehouse they are dropped
 * and built once at the end, which is much faster than keeping them up to date row by row.
 */
const DEFERRED_INDEXES = ["votes_by_post", "post_tags_by_tag"] as const;
const deferred = new WeakMap<Database.Database, readonly string[]>();

function deferIndexes(db: Database.Database): void {
  const definitions = DEFERRED_INDEXES.map(
    (name) =>
      db
        .prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?")
        .pluck()
        .get(name) as string,
  );
  for (const name of DEFERRED_INDEXES) db.exec(`DROP INDEX ${name}`);
  deferred.set(db, definitions);
}

/** Builds the indexes a scratch warehouse deferred (see {@link openScratchWarehouse}). */
export function buildDeferredIndexes(db: Database.Database): void {
  for (const definition of deferred.get(db) ?? []) db.exec(definition);
  deferred.delete(db);
}

/** Switches a complete scratch warehouse to WAL, closes it and flushes it to disk. */
export function closeScratchWarehouse(db: Database.Database): void {
  const path = db.name;
  db.pragma("journal_mode = WAL");
  db.close();
  syncPath(path);
}

/**
 * Opens an existing warehouse read-only: nothing done through it can change the file.
 *
 * @example
 * const rows = openWarehouseReadOnly("warehouse.db").prepare("SELECT * FROM weekly_votes").all();
 */
export function openWarehouseReadOnly(path: string): Database.Database {
  if (!existsSync(path)) {
    throw new StackhouseError("WAREHOUSE", `${path}: no warehouse here; ingest a delivery first`);
  }
  const db = connect(path, true);
  try {
    refuseForeign(db, path);
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > SCHEMA_VERSION) throw newerSchema(path, version);
    if (version === 0)
      throw new StackhouseError("WAREHOUSE", `${path}: not a stackhouse warehouse`);
    return db;
  } catch (error) {
    db.close();
    throw asWarehouseError(path, error);
  }
}

function connect(path: string, readonly: boolean): Database.Database {
  try {
    const db = new Database(path, { readonly, fileMustExist: readonly, timeout: BUSY_TIMEOUT_MS });
    return db;
  } catch (error) {
    throw asWarehouseError(path, error);
  }
}

function migrate(db: Database.Database, path: string): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > SCHEMA_VERSION) throw newerSchema(path, version);
  if (version === SCHEMA_VERSION) return;
  db.exec("BEGIN IMMEDIATE");
  try {
    for (const migration of MIGRATIONS) {
      if (migration.version <= version) continue;
      migration.apply(db);
    }
    db.pragma(`application_id = ${String(APPLICATION_ID)}`);
    db.pragma(`user_version = ${String(SCHEMA_VERSION)}`);
    db.exec("COMMIT");
  } catch (error) {
    rollbackAfterError(db);
    throw error;
  }
}

function newerSchema(path: string, version: number): StackhouseError {
  return new StackhouseError(
    "WAREHOUSE",
    `${path}: made by a newer stackhouse (schema ${version}; this version knows up to ${SCHEMA_VERSION}); upgrade stackhouse`,
  );
}

/**
 * Turns a database or file-system failure met while using a warehouse into a one-line
 * StackhouseError naming the warehouse; anything else (a bug) passes through unchanged.
 */
export function asWarehouseError(path: string, error: unknown): unknown {
  if (error instanceof StackhouseError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === "SQLITE_FULL" || code === "ENOSPC") {
    return new StackhouseError(
      "WAREHOUSE",
      `${path}: no space left on the device; nothing was changed`,
      {
        cause: error,
      },
    );
  }
  if (code === "SQLITE_READONLY" || code === "EROFS" || code === "EACCES" || code === "EPERM") {
    return new StackhouseError(
      "WAREHOUSE",
      `${path}: cannot write the warehouse or its folder (read-only or no permission)`,
      {
        cause: error,
      },
    );
  }
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
    return new StackhouseError("WAREHOUSE", `${path}: not a SQLite database, or damaged`, {
      cause: error,
    });
  }
  if (typeof code === "string" && (code === "SQLITE_CANTOPEN" || code.startsWith("SQLITE_IOERR"))) {
    return new StackhouseError(
      "WAREHOUSE",
      `${path}: cannot open or write the warehouse file (${code})`,
      {
        cause: error,
      },
    );
  }
  if (typeof code === "string" && code.startsWith("SQLITE_")) {
    return new StackhouseError("WAREHOUSE", `${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return error;
}

/**
 * Rolls back the open transaction, if any, without letting a failure to roll back hide the error
 * that caused it (the caller rethrows that one).
 */
export function rollbackAfterError(db: Database.Database): void {
  if (!db.inTransaction) return;
  try {
    db.exec("ROLLBACK");
  } catch {
    // The warehouse or scratch file is discarded or recovered by SQLite on next open.
  }
}

import { existsSync } from "node:fs";
import { StackhouseError } from "../errors.js";
import { sqliteDestination } from "../warehouse/sqlite-warehouse.js";
import type { Destination, Warehouse } from "../warehouse/warehouse.js";

/** The global options that name the warehouse. */
export interface WarehouseFlags {
  readonly db: string;
  readonly target?: string;
  readonly archive?: string;
}

/**
 * The warehouse the command line names: a ClickHouse `--target`, else the SQLite `--db` file.
 * The ClickHouse client is loaded only for a ClickHouse target.
 *
 * @example
 * const destination = await destinationOf({ db: "warehouse.db" });
 */
export async function destinationOf(flags: WarehouseFlags): Promise<Destination> {
  if (flags.target === undefined) {
    if (flags.archive !== undefined) {
      throw new StackhouseError(
        "USAGE",
        "--archive moves a ClickHouse target's landing archive; a SQLite warehouse keeps its archive beside the file",
      );
    }
    return sqliteDestination(flags.db);
  }
  const { clickHouseDestination } = await import("../clickhouse/clickhouse-destination.js");
  return clickHouseDestination(flags.target, flags.archive);
}

/**
 * Opens the warehouse the command line names, refusing one that is not there: reading a
 * warehouse that was never loaded is a mistake, not an empty answer.
 *
 * @example
 * const warehouse = await openExisting(flags, "read");
 */
export async function openExisting(
  flags: WarehouseFlags,
  mode: "read" | "write",
): Promise<Warehouse> {
  const destination = await destinationOf(flags);
  if (await destination.isMissing()) {
    const archived = destination.archive.read().committed.length > 0;
    const empty = flags.target === undefined && existsSync(flags.db) ? " (an empty file)" : "";
    throw new StackhouseError(
      "WAREHOUSE",
      `${destination.name}: no warehouse here${empty}; ingest a delivery first${archived ? `, or re-create it from its landing archive with: stackhouse rebuild ${destination.option}` : ""}`,
    );
  }
  return mode === "read" ? destination.openForReading() : destination.open();
}

/**
 * Runs `work` on the warehouse the command line names, and closes it however `work` ends.
 *
 * @example
 * const answer = await withWarehouse(flags, "read", (warehouse) => warehouse.weeklyAnswer());
 */
export async function withWarehouse<T>(
  flags: WarehouseFlags,
  mode: "read" | "write",
  work: (warehouse: Warehouse) => Promise<T>,
): Promise<T> {
  const warehouse = await openExisting(flags, mode);
  try {
    return await work(warehouse);
  } finally {
    await warehouse.close();
  }
}

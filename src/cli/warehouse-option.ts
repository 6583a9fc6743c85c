import { existsSync } from "node:fs";
import type { Command } from "commander";
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
 * Settles the global options that name the warehouse before any command runs: `--db` and
 * `--target` name two warehouses, an explicit `--db` beats `STACKHOUSE_TARGET`, and `--archive`
 * belongs to a ClickHouse target.
 *
 * @example
 * program.hook("preAction", () => settleWarehouseOptions(program));
 */
export function settleWarehouseOptions(program: Command): void {
  const dbGiven = program.getOptionValueSource("db") === "cli";
  const targetFrom = program.getOptionValueSource("target");
  if (dbGiven && targetFrom === "cli") {
    throw new StackhouseError("USAGE", "--db and --target name two warehouses: give one of them");
  }
  if (dbGiven && targetFrom === "env") program.setOptionValueWithSource("target", undefined, "cli");
  const { target, archive } = program.opts<Partial<WarehouseFlags>>();
  if (archive !== undefined && target === undefined) {
    throw new StackhouseError(
      "USAGE",
      "--archive moves a ClickHouse target's landing archive; a SQLite warehouse keeps its archive beside the file",
    );
  }
}

/**
 * The warehouse the command line names: a ClickHouse `--target`, else the SQLite `--db` file.
 * The ClickHouse client is loaded only for a ClickHouse target.
 *
 * @example
 * const destination = await destinationOf({ db: "warehouse.db" });
 */
export async function destinationOf(flags: WarehouseFlags): Promise<Destination> {
  if (flags.target === undefined) return sqliteDestination(flags.db);
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
  const destination = await existingDestination(flags);
  return mode === "read" ? destination.openForReading() : destination.open();
}

/**
 * The warehouse the command line names, refused when it is not there or not whole, as
 * {@link openExisting} refuses it, without opening it.
 *
 * @example
 * const destination = await existingDestination({ db: "warehouse.db" });
 */
export async function existingDestination(flags: WarehouseFlags): Promise<Destination> {
  const destination = await destinationOf(flags);
  if (await destination.isMissing()) {
    const refusal = await destination.refuseToCreate?.();
    if (refusal !== undefined) throw new StackhouseError("WAREHOUSE", refusal);
    const archived = destination.archive.read().committed.length > 0;
    const empty = flags.target === undefined && existsSync(flags.db) ? " (an empty file)" : "";
    throw new StackhouseError(
      "WAREHOUSE",
      `${destination.name}: no warehouse here${empty}; ingest a delivery first${archived ? `, or re-create it from its landing archive with: stackhouse rebuild ${destination.option}` : ""}`,
    );
  }
  return destination;
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

import { existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { rename, rm } from "node:fs/promises";
import { SQLITE_SIDE_FILES, syncPath } from "../archive/warehouse-paths.js";

/**
 * True when there is no warehouse yet: no file, or a file of 0 bytes with no write-ahead log
 * (which SQLite treats as an empty database), so the run builds a new one.
 */
export function isMissingOrEmptyFile(path: string): boolean {
  const bytes = (file: string): number => (existsSync(file) ? statSync(file).size : 0);
  return bytes(path) === 0 && bytes(`${path}-wal`) === 0;
}

/**
 * The scratch path next to the warehouse where a new warehouse is built before it replaces the
 * old. Runs hold the run lock, so one found there was left by a run that was killed: it is removed.
 */
export function scratchPathFor(warehousePath: string): string {
  return `${warehousePath}.building`;
}

/** Deletes a SQLite file and its side files. */
export async function removeDatabase(path: string): Promise<void> {
  await Promise.all(
    ["", ...SQLITE_SIDE_FILES].map((suffix) => rm(`${path}${suffix}`, { force: true })),
  );
}

/**
 * Puts a closed, fully built database in place of the warehouse in one rename, so readers see
 * the old warehouse or the new one, never a mix. Stale side files of the old one go first.
 */
export async function replaceDatabase(builtPath: string, warehousePath: string): Promise<void> {
  for (const suffix of SQLITE_SIDE_FILES) {
    if (existsSync(`${warehousePath}${suffix}`))
      await rm(`${warehousePath}${suffix}`, { force: true });
  }
  await rename(builtPath, warehousePath);
  syncPath(dirname(warehousePath));
}

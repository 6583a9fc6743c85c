import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { StackhouseError } from "../errors.js";

/** Files SQLite keeps beside a database while it is in use. */
export const SQLITE_SIDE_FILES = ["-wal", "-shm", "-journal"] as const;

/**
 * The warehouse file's real path: absolute, with every symlink resolved (the file's own and its
 * folders'), so a warehouse reached through a link and through its real name is one warehouse with
 * one archive, one lock and one scratch file. A link whose target is gone (the warehouse was
 * deleted) resolves to that target, so re-creating it through the link restores the right file.
 *
 * @example
 * realWarehousePath("link.db"); // "/data/w.db" when link.db -> /data/w.db
 */
export function realWarehousePath(path: string): string {
  if (path.trim() === "")
    throw new StackhouseError("USAGE", "--db: give the warehouse file's path");
  let current = resolve(path);
  for (let hops = 0; hops < MAX_LINK_HOPS; hops++) {
    const folder = realFolder(dirname(current));
    const here = join(folder, basename(current));
    let target: string;
    try {
      if (!lstatSync(here).isSymbolicLink()) return here;
      target = readlinkSync(here);
    } catch {
      return here;
    }
    current = resolve(folder, target);
  }
  throw new StackhouseError("USAGE", `${path}: too many symbolic links`);
}

/** Symlinks followed before a warehouse path is taken for a loop. */
const MAX_LINK_HOPS = 40;

function realFolder(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return folder;
  }
}

/**
 * The landing archive of a warehouse: a folder named after the warehouse's full real file name,
 * `w.db` keeps `w.db.landing/`, so `a.db` and `a.sqlite` in one folder never share a history.
 *
 * @example
 * landingDirFor("data/w.db"); // "/abs/data/w.db.landing"
 */
export function landingDirFor(warehousePath: string): string {
  return `${realWarehousePath(warehousePath)}.landing`;
}

/**
 * Every path that belongs to a warehouse and that nothing else stackhouse writes (a query's
 * output, a report) may land on: the database, its SQLite side files, its run lock, its scratch
 * build and its landing archive folder (anything inside it included), all as real paths.
 *
 * @example
 * ownedPaths("w.db"); // ["/abs/w.db", "/abs/w.db-wal", ..., "/abs/w.db.landing"]
 */
export function ownedPaths(warehousePath: string): readonly string[] {
  const real = realWarehousePath(warehousePath);
  return [
    real,
    ...SQLITE_SIDE_FILES.map((suffix) => `${real}${suffix}`),
    `${real}.lock`,
    `${real}.building`,
    `${real}.landing`,
  ];
}

import {
  closeSync,
  existsSync,
  fsyncSync,
  lstatSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
} from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { StackhouseError } from "../errors.js";
import type { OwnPath } from "../warehouse/warehouse.js";

/** Files SQLite keeps beside a database while it is in use. */
export const SQLITE_SIDE_FILES = ["-wal", "-shm", "-journal"] as const;

/**
 * The warehouse file's real path (see {@link realPath}), so a warehouse reached through a link and
 * through its real name is one warehouse with one archive, one lock and one scratch file, and
 * re-creating a deleted warehouse through a link restores the link's target.
 *
 * @example
 * realWarehousePath("link.db"); // "/data/w.db" when link.db -> /data/w.db
 */
export function realWarehousePath(path: string): string {
  if (path.trim() === "") {
    throw new StackhouseError("USAGE", "--db: give the warehouse file's path");
  }
  return realPath(path);
}

/**
 * A path made absolute with every symlink resolved, the file's own and its folders'. A link whose
 * target does not exist resolves to that target (where the file would be created); a path whose
 * folder does not exist is returned absolute as it is.
 *
 * @example
 * realPath("out/link.csv"); // "/data/rows.csv" when out/link.csv -> /data/rows.csv
 */
export function realPath(path: string): string {
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

/** Symlinks followed before a path is taken for a loop. */
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
 * `w.db` keeps `w.db.landing/`, so `a.db` and `a.sqlite` in one folder never share a history. An
 * archive in the layout of older versions (`w.landing/`, shared by every `w.*`) is refused with
 * the command that adopts it, rather than silently ignored.
 *
 * @example
 * landingDirFor("data/w.db"); // "/abs/data/w.db.landing"
 */
export function landingDirFor(warehousePath: string): string {
  const real = realWarehousePath(warehousePath);
  const dir = `${real}.landing`;
  const stem = join(dirname(real), basename(real, extname(real)));
  const legacy = `${stem}.landing`;
  const manifest = join(legacy, "manifest.ndjson");
  // One that records its history id is in today's layout: another warehouse's (a ClickHouse
  // target's `--archive`), not an old one of this file.
  const legacyArchive =
    legacy !== dir && existsSync(manifest) && !existsSync(stem) && !recordsHistory(manifest);
  if (legacyArchive && !existsSync(dir)) {
    throw new StackhouseError(
      "ARCHIVE",
      `${legacy}: a landing archive in the layout of an older stackhouse; if it is ${real}'s, move it into place: mv ${legacy} ${dir}`,
    );
  }
  return dir;
}

/** Whether a landing archive's manifest says whose history it is (older layouts predate that). */
function recordsHistory(manifest: string): boolean {
  return readFileSync(manifest, "utf8")
    .split("\n")
    .some((line) => line.startsWith('{"type":"history"'));
}

/** What each of a SQLite warehouse's own paths is, by its suffix. */
const OWNED_NAMES = {
  "": "the warehouse",
  "-wal": "the write-ahead log (committed runs not yet in the file) of the warehouse",
  "-shm": "the shared-memory index of the warehouse",
  "-journal": "the rollback journal of the warehouse",
  ".lock": "the run lock of the warehouse",
  ".building": "the scratch build of the warehouse",
  ".landing": "the landing archive of the warehouse",
} as const;

/**
 * Every path that belongs to a SQLite warehouse and that nothing else stackhouse writes (a
 * query's output, a report) may land on: the database, its SQLite side files, its run lock, its
 * scratch build and its landing archive folder (anything inside it included), all as real paths.
 *
 * @example
 * ownedPaths("w.db")[0]; // { path: "/abs/w.db", name: "the warehouse" }
 */
export function ownedPaths(warehousePath: string): readonly OwnPath[] {
  const real = realWarehousePath(warehousePath);
  return Object.entries(OWNED_NAMES).map(([suffix, name]) => ({ path: `${real}${suffix}`, name }));
}

/**
 * Flushes a file or a folder to disk: for a folder, its entries, which makes a rename or a new
 * file in it durable.
 *
 * @example
 * syncPath(dirname(warehousePath)); // after renaming the new warehouse into place
 */
export function syncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

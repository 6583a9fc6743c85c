import {
  accessSync,
  closeSync,
  constants,
  openSync,
  readSync,
  statSync,
  type Stats,
} from "node:fs";
import { resolve, sep } from "node:path";
import { realPath } from "../archive/warehouse-paths.js";
import type { Destination } from "../warehouse/warehouse.js";
import { fsErrorWords, StackhouseError } from "../errors.js";

/**
 * Where an output goes and how it is written: a regular file is replaced whole (a temporary file
 * beside it, renamed over it when complete); anything else that exists already (a device, a FIFO,
 * a socket, `/dev/stdout`, a process substitution) is written into, never replaced.
 */
export type OutputTarget =
  | {
      readonly kind: "replace";
      readonly path: string;
      /** The real path the finished file is renamed to. */
      readonly realPath: string;
      /** The permissions of the file it replaces, kept; undefined for a new file. */
      readonly mode: number | undefined;
    }
  | { readonly kind: "write-into"; readonly path: string };

/** The first 16 bytes of every SQLite database file. */
const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");

/** Paths that name a file already open (`/dev/stdout`, `/dev/fd/63`), not a place in a folder. */
const OPEN_FILE_PATH = /^\/dev\/(?:stdout|stderr|fd\/)|^\/proc\//;

/**
 * Decides where an output file (`query --output`, `report --html`) may go. This is the one place
 * that decides it. Refused, with exit 2 and nothing written: the warehouse itself, its `-wal`,
 * `-shm` and `-journal` files, its run lock, its scratch build, anything in its landing archive
 * (all compared as real paths, symlinks resolved), an existing SQLite database (another
 * warehouse), a folder, and a file that may not be written.
 *
 * @example
 * const target = outputTarget("out.csv", sqliteDestination("warehouse.db"), "--output");
 */
export function outputTarget(path: string, warehouse: Destination, flag: string): OutputTarget {
  if (path.trim() === "") throw new StackhouseError("USAGE", `${flag}: give the output's path`);
  const stats = existing(path);
  const real = realPath(path);
  refuseOwned(path, real, warehouse, flag);
  if (stats === undefined) return { kind: "replace", path, realPath: real, mode: undefined };
  if (stats.isDirectory()) throw cannotWrite(path, "EISDIR");
  if (!stats.isFile()) return { kind: "write-into", path };
  if (startsWithSqliteHeader(path)) {
    throw new StackhouseError(
      "USAGE",
      `${path}: refused: this is a SQLite database (another warehouse?), not an output stackhouse will replace; choose another ${flag}`,
    );
  }
  try {
    accessSync(path, constants.W_OK);
  } catch (error) {
    throw cannotWrite(path, errorCode(error), error);
  }
  if (OPEN_FILE_PATH.test(resolve(path))) return { kind: "write-into", path };
  return { kind: "replace", path, realPath: real, mode: stats.mode & 0o7777 };
}

/**
 * The one-line error of an output that cannot be written.
 *
 * @example
 * throw cannotWrite("out/rows.csv", "ENOENT"); // "out/rows.csv: cannot write this file: its folder does not exist (ENOENT)"
 */
export function cannotWrite(path: string, code: string, cause?: unknown): StackhouseError {
  const why = fsErrorWords({ code }, "write");
  return new StackhouseError(
    "USAGE",
    `${path}: cannot write this file${why === undefined ? "" : `: ${why}`} (${code})`,
    { cause },
  );
}

/**
 * The error's system code (`ENOENT`, ...), or `EIO` when it has none.
 *
 * @example
 * errorCode(Object.assign(new Error("gone"), { code: "ENOENT" })); // "ENOENT"
 */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("E") ? code : "EIO";
}

function existing(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw cannotWrite(path, errorCode(error), error);
  }
}

function refuseOwned(path: string, real: string, warehouse: Destination, flag: string): void {
  const hit = warehouse.ownPaths.find(
    (owned) => real === owned.path || real.startsWith(`${owned.path}${sep}`),
  );
  if (hit === undefined) return;
  const where = real === hit.path ? `this is ${hit.name}` : `this is inside ${hit.name}`;
  throw new StackhouseError(
    "USAGE",
    `${path}: refused: ${where} ${warehouse.name}; stackhouse never writes output onto a warehouse or its archive; choose another ${flag}`,
  );
}

function startsWithSqliteHeader(path: string): boolean {
  const head = Buffer.alloc(SQLITE_HEADER.length);
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

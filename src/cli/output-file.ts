import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { StackhouseError } from "../errors.js";
import { syncPath } from "../archive/warehouse-paths.js";
import { onInterrupt } from "./on-interrupt.js";
import type { Destination } from "../warehouse/warehouse.js";
import { cannotWrite, errorCode, outputTarget, type OutputTarget } from "./output-target.js";

/** An output being written: `commit` makes it appear, `discard` leaves things as they were. */
export interface OutputFile {
  write(chunk: string | Uint8Array): void;
  commit(): void;
  discard(): void;
}

/**
 * Opens an output where {@link outputTarget} decided, on the first write (so a query that fails
 * before its first row leaves even a FIFO unopened). A file to replace is written to a temporary
 * file beside it, flushed to disk and renamed over it by `commit`: readers see the old file or
 * the whole new one, and after a failure (or Ctrl-C) the old file is whole and no partial one is
 * left. Anything else (a device, a FIFO, `/dev/stdout`) is written into, never replaced.
 *
 * @example
 * const file = openOutputFile(outputTarget("out.csv", destination, "--output"));
 * try { file.write("a,b\r\n"); file.commit(); } catch (error) { file.discard(); throw error; }
 */
export function openOutputFile(target: OutputTarget): OutputFile {
  const partial =
    target.kind === "replace"
      ? join(
          dirname(target.realPath),
          `.${basename(target.realPath)}.partial-${String(process.pid)}-${randomBytes(4).toString("hex")}`,
        )
      : undefined;
  let fd: number | undefined;
  let disarm: (() => void) | undefined;
  let readerGone = false;
  const fail = (error: unknown): StackhouseError =>
    error instanceof StackhouseError ? error : cannotWrite(target.path, errorCode(error), error);

  const open = (): number => {
    if (fd !== undefined) return fd;
    if (partial === undefined) {
      fd = openSync(target.path, constants.O_WRONLY | constants.O_APPEND);
      return fd;
    }
    disarm = onInterrupt(() => {
      rmSync(partial, { force: true });
    });
    fd = openSync(partial, "wx");
    if (target.kind === "replace" && target.mode !== undefined) fchmodSync(fd, target.mode);
    return fd;
  };
  const close = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };

  return {
    write(text) {
      if (readerGone) return;
      try {
        const descriptor = open();
        const bytes = typeof text === "string" ? Buffer.from(text) : text;
        for (let offset = 0; offset < bytes.length;) {
          offset += writeSync(descriptor, bytes, offset, bytes.length - offset);
        }
      } catch (error) {
        // A pipe whose reader stopped (`| head`) has all it wanted, as with standard output.
        if (target.kind === "write-into" && errorCode(error) === "EPIPE") readerGone = true;
        else throw fail(error);
      }
    },
    commit() {
      try {
        const descriptor = open();
        if (target.kind === "replace" && partial !== undefined) {
          fsyncSync(descriptor);
          close();
          renameSync(partial, target.realPath);
          syncFolder(dirname(target.realPath));
        }
        close();
        disarm?.();
      } catch (error) {
        throw fail(error);
      }
    },
    discard() {
      try {
        close();
        if (partial !== undefined) rmSync(partial, { force: true });
      } catch {
        // Discarding follows another failure, the one worth reporting.
      }
      disarm?.();
    },
  };
}

/**
 * Writes a whole output (an HTML report) through {@link outputTarget} and {@link openOutputFile}.
 *
 * @example
 * writeWholeFile("report.html", destination, "--html", (write) => write(page));
 */
export function writeWholeFile<T>(
  path: string,
  warehouse: Destination,
  flag: string,
  produce: (write: (text: string) => void) => T,
): T {
  const file = openOutputFile(outputTarget(path, warehouse, flag));
  try {
    const result = produce((text) => {
      file.write(text);
    });
    file.commit();
    return result;
  } catch (error) {
    file.discard();
    throw error;
  }
}

/** Makes a rename durable: the folder's entry is flushed too. */
function syncFolder(folder: string): void {
  try {
    syncPath(folder);
  } catch {
    // Some file systems cannot flush a folder; the rename itself has happened.
  }
}

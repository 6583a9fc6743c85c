import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { StackhouseError } from "../errors.js";

/** How long a run waits for another run on the same warehouse before giving up (default). */
export const LOCK_TIMEOUT_MS = 120_000;
const POLL_MS = 100;

/** A held lock; release it when the run ends, however it ends. */
export interface RunLock {
  release(): void;
}

/**
 * Makes runs that write one warehouse (ingest, rebuild) take turns: a lock file beside the
 * warehouse holding the owner's pid. A second run waits for the first, up to `timeoutMs`, then
 * fails with a clear message. The lock appears with its pid already in it (written to a file of
 * its own, then linked into place), so a lock without a running owner's pid (empty, garbage, or
 * a pid that no longer runs) can only be one a crash or a full disk left behind: it is taken
 * over. Readers (`query`, `report`) need no lock: SQLite's WAL gives them a consistent snapshot.
 *
 * @example
 * const lock = await acquireRunLock("warehouse.db");
 * try { ... } finally { lock.release(); }
 */
export async function acquireRunLock(
  warehousePath: string,
  timeoutMs = LOCK_TIMEOUT_MS,
): Promise<RunLock> {
  const path = `${warehousePath}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (tryCreate(path)) {
      return {
        release: () => {
          rmSync(path, { force: true });
        },
      };
    }
    const owner = lockOwner(path);
    if (owner === "gone") continue;
    if (owner === undefined || !isRunning(owner)) {
      takeOver(path);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new StackhouseError(
        "BUSY",
        `${warehousePath}: another stackhouse run (pid ${String(owner)}) is writing this warehouse; waited ${String(Math.round(timeoutMs / 1000))} s, try again later`,
      );
    }
    await sleep(POLL_MS);
  }
}

/** Creates the lock with this process's pid in it, all at once; false when one exists. */
function tryCreate(path: string): boolean {
  const own = `${path}.${String(process.pid)}`;
  try {
    const fd = openSync(own, "w");
    try {
      writeSync(fd, String(process.pid));
    } finally {
      closeSync(fd);
    }
    linkSync(own, path);
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === "EEXIST") return false;
    const reason =
      (error as { code?: unknown }).code === "ENOSPC"
        ? "no space left on the device"
        : (error as Error).message;
    throw new StackhouseError("WAREHOUSE", `${path}: cannot create the run lock: ${reason}`, {
      cause: error,
    });
  } finally {
    rmSync(own, { force: true });
  }
}

/**
 * Moves a stale lock aside. Two runs may find the same stale lock: the one whose rename takes a
 * lock other than the stale one it looked at (another run's fresh lock) puts it back.
 */
function takeOver(path: string): void {
  let stale: number;
  try {
    stale = statSync(path).ino;
  } catch {
    return;
  }
  const aside = `${path}.stale-${String(process.pid)}`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  if (statSync(aside).ino !== stale) {
    try {
      linkSync(aside, path);
    } catch {
      // Another run created a lock meanwhile: it is the owner now, and this run waits for it.
    }
  }
  rmSync(aside, { force: true });
}

/** The owner's pid; undefined for a lock without one; "gone" when the lock vanished meanwhile. */
function lockOwner(path: string): number | "gone" | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return "gone";
    return undefined;
  }
  const pid = Number(text.trim());
  return /^\d+$/.test(text.trim()) && Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === "EPERM";
  }
}

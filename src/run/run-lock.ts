import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  lstatSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fsErrorWords, StackhouseError } from "../errors.js";

/** How long a run waits for another run on the same warehouse before giving up (default). */
export const LOCK_TIMEOUT_MS = 120_000;
const POLL_MS = 100;

/** A held lock; release it when the run ends, however it ends. */
export interface RunLock {
  release(): void;
}

/**
 * Makes runs that write one warehouse (ingest, rebuild) take turns: a lock file (`path`) holding
 * the owner's pid; messages name the `warehouse`. A second run waits for the first, up to `timeoutMs`, then
 * fails with a clear message. The lock appears with its pid already in it (written to a file of
 * its own, then linked into place), so a lock without a running owner's pid (empty, garbage, or
 * a pid that no longer runs) can only be one a crash or a full disk left behind: it is taken
 * over. Readers (`query`, `report`) need no lock: SQLite's WAL gives them a consistent snapshot.
 *
 * @example
 * const lock = await acquireRunLock("warehouse.db.lock", "warehouse.db");
 * try { ... } finally { lock.release(); }
 */
export async function acquireRunLock(
  path: string,
  warehouse: string,
  timeoutMs = LOCK_TIMEOUT_MS,
): Promise<RunLock> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (tryCreate(path, warehouse)) {
      return {
        release: () => {
          rmSync(path, { force: true });
        },
      };
    }
    const owner = lockOwner(path);
    const live = owner !== undefined && isRunning(owner);
    if (!live) takeOver(path);
    if (Date.now() >= deadline) {
      const who = live
        ? `another stackhouse run (pid ${String(owner.pid)}) is writing this warehouse`
        : `its run lock ${path} cannot be taken over`;
      throw new StackhouseError(
        "BUSY",
        `${warehouse}: ${who}; waited ${String(Math.round(timeoutMs / 1000))} s, try again later`,
      );
    }
    await sleep(live ? POLL_MS : POLL_MS / 10);
  }
}

/** Creates the lock with this process's pid in it, all at once; false when one exists. */
function tryCreate(path: string, warehouse: string): boolean {
  const own = `${path}.${String(process.pid)}`;
  try {
    const fd = openSync(own, "w");
    try {
      writeSync(fd, [process.pid, startTime(process.pid)].filter(Boolean).join(" "));
    } finally {
      closeSync(fd);
    }
    linkSync(own, path);
    return true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "EEXIST") return false;
    if (code === "ENOENT") {
      throw new StackhouseError(
        "WAREHOUSE",
        `${warehouse}: its folder ${dirname(path)} does not exist`,
        { cause: error },
      );
    }
    const reason = fsErrorWords(error, "write") ?? (error as Error).message;
    throw new StackhouseError("WAREHOUSE", `${path}: cannot create the run lock: ${reason}`, {
      cause: error,
    });
  } finally {
    removeQuietly(own);
  }
}

/** Removes a file if it is there; a failure to (its folder is missing or a file) is the caller's to report. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing was created there.
  }
}

/**
 * Moves a stale lock aside. Two runs may find the same stale lock: the one whose rename takes a
 * lock other than the stale one it looked at (another run's fresh lock) puts it back.
 */
function takeOver(path: string): void {
  let stale: number;
  try {
    const info = lstatSync(path);
    if (info.isDirectory()) {
      throw new StackhouseError(
        "WAREHOUSE",
        `${path}: a folder where the run lock belongs; move it away and run again`,
      );
    }
    stale = info.ino;
  } catch (error) {
    if (error instanceof StackhouseError) throw error;
    return;
  }
  const aside = `${path}.stale-${String(process.pid)}`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  if (lstatSync(aside).ino !== stale) {
    try {
      linkSync(aside, path);
    } catch {
      // Another run created a lock meanwhile: it is the owner now, and this run waits for it.
    }
  }
  rmSync(aside, { force: true });
}

/** Who holds the lock: its pid, and when that process started (when the lock says). */
interface Owner {
  readonly pid: number;
  readonly started: string | undefined;
}

/** The lock's owner; undefined for a lock that names none (empty, garbage, a dangling link). */
function lockOwner(path: string): Owner | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
  const match = /^(\d{1,10})(?: (\d+))?$/.exec(text);
  const pid = Number(match?.[1]);
  return match !== null && pid > 0 ? { pid, started: match[2] } : undefined;
}

/**
 * Whether the lock's owner still runs: its pid exists and, when the lock recorded the owner's
 * start time, the process with that pid started then (a pid reused by another process after a
 * crash or a reboot is not the owner).
 */
function isRunning(owner: Owner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as { code?: unknown }).code !== "EPERM") return false;
  }
  return owner.started === undefined || startTime(owner.pid) === owner.started;
}

/** A process's start time in clock ticks since boot (Linux), or undefined where unknown. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
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
 * warehouse, created exclusively, holding the owner's pid. A second run waits for the first, up to
 * `timeoutMs`, then fails with a clear message; a lock left by a process that no longer exists
 * (a killed run) is taken over. Readers (`query`, `report`) need no lock: SQLite's WAL gives them
 * a consistent snapshot while a run writes.
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
    const fd = tryCreate(path);
    if (fd !== undefined) {
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return {
        release: () => {
          rmSync(path, { force: true });
        },
      };
    }
    const owner = lockOwner(path);
    if (owner !== undefined && !isRunning(owner)) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new StackhouseError(
        "BUSY",
        `${warehousePath}: another stackhouse run (pid ${String(owner ?? "unknown")}) is writing this warehouse; waited ${String(Math.round(timeoutMs / 1000))} s, try again later`,
      );
    }
    await sleep(POLL_MS);
  }
}

function tryCreate(path: string): number | undefined {
  try {
    return openSync(path, "wx");
  } catch (error) {
    if ((error as { code?: unknown }).code === "EEXIST") return undefined;
    throw new StackhouseError(
      "WAREHOUSE",
      `${path}: cannot create the run lock: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

function lockOwner(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === "EPERM";
  }
}

import type { Database } from "better-sqlite3";
import type { Worker } from "node:worker_threads";
import {
  readWeeklyTotals,
  writeWeeklyTotals,
  type WeeklyTotals,
  type WeeksTouched,
} from "../load/refresh-weekly-totals.js";
import { DELIVERY_KINDS, type DeliveryKind } from "../model/kinds.js";
import { startWorker } from "../run-from-source.js";
import { writeCalendar } from "./migration-calendar.js";

/**
 * The weekly rollups of a SQLite warehouse being built apart (a first load, a rebuild), which
 * nobody reads until it is swapped in: instead of at each run's commit, they are computed once,
 * for every week the runs touched, on a worker thread over a second connection, while the main
 * thread runs the checks and builds the indexes. On a first load of 10M votes the weekly
 * grouping takes about as long as those two together, so the end of a build takes half the time.
 *
 * @example
 * const rollups = new DeferredRollups();
 * rollups.add({ votes: ["2021-08-30"], posts: [] }, new Date()); // at each run's end
 * rollups.start(db); // once the last run is committed
 * await rollups.finish(db); // before the build is closed
 */
export class DeferredRollups {
  private readonly weeks: Readonly<Record<DeliveryKind, Set<string>>> = {
    posts: new Set(),
    votes: new Set(),
  };
  private now: Date | undefined;
  /** Runs added so far: a worker started before the last of them read rows that changed since. */
  private runs = 0;
  private reading:
    | {
        readonly worker: Worker;
        readonly afterRuns: number;
        readonly totals: Promise<WeeklyTotals>;
      }
    | undefined;

  /** Notes the weeks a run touched, and the time its calendar is written as of. */
  add(touched: WeeksTouched, now: Date): void {
    for (const kind of DELIVERY_KINDS) for (const week of touched[kind]) this.weeks[kind].add(week);
    this.now = now;
    this.runs++;
  }

  /**
   * Starts reading the totals on a worker thread. The build must be committed: the worker's
   * connection sees committed rows only. It is switched to WAL, so the main thread can go on
   * writing (check results, indexes) while the worker reads. Returns whether the worker runs.
   */
  start(db: Database): boolean {
    if (this.reading !== undefined) return true;
    if (this.now === undefined || db.inTransaction) return false;
    const weeks = this.touched();
    if (weeks.posts.length + weeks.votes.length === 0) return false;
    db.pragma("journal_mode = WAL");
    const worker = startWorker(import.meta.url, "rollup-worker", {
      workerData: { path: db.name, weeks },
    });
    const totals = new Promise<WeeklyTotals>((resolve, reject) => {
      worker.once("message", (message: { totals?: WeeklyTotals; error?: string }) => {
        if (message.totals !== undefined) resolve(message.totals);
        else reject(new Error(`the weekly totals could not be read: ${String(message.error)}`));
      });
      worker.once("error", reject);
      worker.once("exit", () => {
        reject(new Error("the weekly totals worker stopped early"));
      });
    });
    totals.catch(() => undefined);
    this.reading = { worker, afterRuns: this.runs, totals };
    return true;
  }

  /** Writes the totals (read by the worker, or here if a run came after it) and the calendar. */
  async finish(db: Database): Promise<void> {
    if (this.now === undefined) return;
    this.start(db);
    const weeks = this.touched();
    const totals =
      this.reading === undefined || this.reading.afterRuns < this.runs
        ? readWeeklyTotals(db, weeks)
        : await this.reading.totals;
    await this.stop();
    db.exec("BEGIN IMMEDIATE");
    try {
      writeWeeklyTotals(db, weeks, totals);
      writeCalendar(db, this.now);
      db.exec("COMMIT");
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw error;
    }
    this.now = undefined;
    for (const kind of DELIVERY_KINDS) this.weeks[kind].clear();
  }

  /** Stops the worker, if it runs. */
  async stop(): Promise<void> {
    const reading = this.reading;
    this.reading = undefined;
    if (reading !== undefined) await reading.worker.terminate();
  }

  private touched(): WeeksTouched {
    return { posts: [...this.weeks.posts], votes: [...this.weeks.votes] };
  }
}

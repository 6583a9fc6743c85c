import type { Database, Statement } from "better-sqlite3";
import { StackhouseError } from "../errors.js";
import type { Row } from "../model/field.js";
import type { DeliveryKind } from "../model/kinds.js";
import { formatShare } from "../validate/reject-threshold.js";

/** Share of a kind's live records a full snapshot may delete before the run is refused (5%). */
export const DEFAULT_MAX_DELETED_SHARE = 0.05;

/** What a full snapshot changed beyond its merge: the records it lacked, now deleted. */
export interface SnapshotOutcome {
  readonly deleted: number;
  /** Creation dates of the rows deleted: their weeks' totals change. */
  readonly creationDates: readonly string[];
}

const TABLES: Readonly<Record<DeliveryKind, string>> = { posts: "posts_all", votes: "votes_all" };

/**
 * The ids a full snapshot holds, gathered while it is merged (quarantined records whose `Id` can
 * be read count too: a record the supplier sent is not deleted because one of its values is bad),
 * then {@link SnapshotIds.apply}: every live record of the kind whose id the snapshot lacks is
 * marked deleted by the load. (A deleted record that any delivery holds again is live again: the
 * merge does that.)
 *
 * @example
 * const ids = new SnapshotIds(db);
 * ids.addRows(rows);
 * const { deleted } = ids.apply("votes", { loadId, at, path: "Votes.json", maxShare: 0.05 });
 */
export class SnapshotIds {
  private readonly insert: Statement;
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
    db.exec("CREATE TEMP TABLE IF NOT EXISTS snapshot_ids (id INTEGER PRIMARY KEY)");
    db.exec("DELETE FROM temp.snapshot_ids");
    this.insert = db.prepare("INSERT OR IGNORE INTO temp.snapshot_ids (id) VALUES (?)");
  }

  addRows(rows: readonly Row[]): void {
    for (const row of rows) this.insert.run(row[0]);
  }

  /** Counts a quarantined record's id as present when its text names one. */
  addRejected(text: string): void {
    const id = readId(text);
    if (id !== undefined) this.insert.run(id);
  }

  /**
   * Marks deletions; refuses the run (nothing changes) when the snapshot would
   * delete more than `maxShare` of the kind's live records, as a snapshot cut short would.
   */
  apply(
    kind: DeliveryKind,
    load: {
      readonly loadId: number;
      readonly at: string;
      readonly path: string;
      readonly maxShare: number;
    },
  ): SnapshotOutcome {
    const table = TABLES[kind];
    const absent = `deleted_by_load_id IS NULL AND id NOT IN (SELECT id FROM temp.snapshot_ids)`;
    const live = this.count(`SELECT count(*) FROM ${table} WHERE deleted_by_load_id IS NULL`);
    const toDelete = this.count(`SELECT count(*) FROM ${table} WHERE ${absent}`);
    if (toDelete > 0 && toDelete > load.maxShare * live) {
      const share = ((100 * toDelete) / live).toFixed(1);
      throw new StackhouseError(
        "TOO_MANY_DELETED",
        `${load.path}: this full snapshot lacks ${String(toDelete)} of the ${String(live)} ${kind} in the warehouse (${share}%), more than the ${formatShare(load.maxShare)} it may delete (--max-deleted); nothing was loaded. A snapshot cut short looks like this; if the deletions are real, run again with --max-deleted ${String(Math.ceil(Number(share)))}%`,
      );
    }
    const deleted = this.dates(
      `UPDATE ${table} SET deleted_by_load_id = ?, deleted_at = ? WHERE ${absent} RETURNING creation_date`,
      load.loadId,
      load.at,
    );
    return { deleted: deleted.length, creationDates: deleted };
  }

  private count(sql: string): number {
    return this.db.prepare(sql).pluck().get() as number;
  }

  private dates(sql: string, ...values: readonly (string | number)[]): string[] {
    return this.db
      .prepare(sql)
      .pluck()
      .all(...values) as string[];
  }
}

const MAX_ID = 2n ** 63n - 1n;

function readId(text: string): bigint | undefined {
  try {
    const value = (JSON.parse(text) as { Id?: unknown }).Id;
    const digits = typeof value === "number" ? String(value) : value;
    if (typeof digits !== "string" || !/^[1-9]\d{0,18}$/.test(digits)) return undefined;
    const id = BigInt(digits);
    return id <= MAX_ID ? id : undefined;
  } catch {
    return undefined;
  }
}

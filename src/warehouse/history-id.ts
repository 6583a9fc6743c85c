import type { Database } from "better-sqlite3";

/**
 * The id of the history a warehouse holds: made when the warehouse is created, recorded by its
 * landing archive too, so a warehouse and an archive that do not belong together are told apart.
 *
 * @example
 * const id = readHistoryId(db); // "6f1c…"
 */
export function readHistoryId(db: Database): string {
  return db.prepare("SELECT history_id FROM warehouse_history").pluck().get() as string;
}

/**
 * Makes a warehouse being re-created from an archive carry that archive's history id.
 *
 * @example
 * adoptHistoryId(db, archive.read().history.id);
 */
export function adoptHistoryId(db: Database, id: string): void {
  db.prepare("UPDATE warehouse_history SET history_id = ?").run(id);
}

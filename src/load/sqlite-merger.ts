import type { Database, Statement } from "better-sqlite3";
import type { Row } from "../model/field.js";
import type { DeliveryKind } from "../model/kinds.js";
import { KINDS } from "../model/kinds.js";
import type { MergeCounts } from "./merge-counts.js";
import { splitTags } from "./split-tags.js";
import { weekOf } from "./week-of.js";

/** Where a record kind lands, and the rule that decides whether an incoming version wins. */
interface Target {
  readonly table: string;
  readonly columns: readonly string[];
  /** SQL condition on `excluded` (incoming) and the stored row for an update to happen at all. */
  readonly freshness: string;
}

/**
 * The order that decides between two contents of one vote id (votes carry no version): the
 * smaller wins, whatever order they arrive in. Earliest creation date first, then the other
 * fields, an absent value before any present one.
 */
const VOTE_ORDER = (table: string): string =>
  `(${table}.creation_date, ${table}.post_id, ${table}.vote_type_id, coalesce(${table}.user_id, -1), coalesce(${table}.bounty_amount, -1))`;

const TARGETS: Readonly<Record<DeliveryKind, Target>> = {
  posts: {
    table: "posts_all",
    columns: KINDS.posts.fields.map((field) => field.column),
    freshness: "excluded.last_activity_date >= posts_all.last_activity_date",
  },
  votes: {
    table: "votes_all",
    columns: KINDS.votes.fields.map((field) => field.column),
    freshness: `${VOTE_ORDER("excluded")} < ${VOTE_ORDER("votes_all")}`,
  },
};

const TAGS_COLUMN = KINDS.posts.fields.findIndex((field) => field.column === "tags");
const CREATION_DATE: Readonly<Record<DeliveryKind, number>> = {
  posts: KINDS.posts.fields.findIndex((field) => field.column === "creation_date"),
  votes: KINDS.votes.fields.findIndex((field) => field.column === "creation_date"),
};

/**
 * Builds the merge statement of a kind: insert a new id; replace a stored row only when the
 * incoming version is at least as fresh and differs in some column. A row that is not replaced
 * keeps its load id, so re-delivering the same data changes nothing at all.
 */
function upsertSql({ table, columns, freshness }: Target): string {
  const all = [...columns, "load_id"];
  const assignments = all.map((column) => `${column} = excluded.${column}`).join(", ");
  const differs = columns
    .map((column) => `${table}.${column} IS NOT excluded.${column}`)
    .join(" OR ");
  return (
    `INSERT INTO ${table} (${all.join(", ")}) VALUES (${all.map(() => "?").join(", ")}) ` +
    `ON CONFLICT (id) DO UPDATE SET ${assignments} WHERE (${freshness}) AND (${differs})`
  );
}

/** Rows known to be new are inserted this many to a statement: a fraction of the per-call cost. */
const BULK_ROWS = 64;

function bulkInsertSql({ table, columns }: Target): string {
  const all = [...columns, "load_id"];
  const values = `(${all.map(() => "?").join(", ")})`;
  return `INSERT INTO ${table} (${all.join(", ")}) VALUES ${Array(BULK_ROWS).fill(values).join(", ")}`;
}

/** Makes a deleted record live again: a delivery holds it once more. */
function restoreSql({ table }: Target): string {
  return `UPDATE ${table} SET deleted_by_load_id = NULL, deleted_at = NULL WHERE id = ?`;
}

function storedRowSql({ table, columns }: Target): string {
  return `SELECT ${columns.join(", ")}, load_id, deleted_by_load_id FROM ${table} WHERE id = ?`;
}

/**
 * Merges validated rows into a SQLite warehouse with statements prepared once per run. The caller
 * owns the transaction.
 *
 * The merge rule is the upsert statement's. Two shortcuts spare it most of its calls without
 * changing what it decides: ids above the highest stored one are new, so runs of them are
 * inserted many to a statement; and a stored row equal to the incoming one is left alone without
 * running the upsert at all.
 *
 * @example
 * const merger = new SqliteMerger(db);
 * const counts = emptyCounts();
 * merger.merge("votes", rows, loadId, counts);
 */
export class SqliteMerger {
  private readonly upsert: Readonly<Record<DeliveryKind, Statement>>;
  private readonly bulkInsert: Readonly<Record<DeliveryKind, Statement>>;
  /** The stored row, in field order, then its load id and deleting load; undefined when new. */
  private readonly stored: Readonly<Record<DeliveryKind, Statement>>;
  private readonly touchedWeeks: Readonly<Record<DeliveryKind, Set<string>>> = {
    posts: new Set(),
    votes: new Set(),
  };
  private readonly maxId: Readonly<Record<DeliveryKind, Statement>>;
  private readonly highestId: Partial<Record<DeliveryKind, number | bigint>> = {};
  private readonly restore: Readonly<Record<DeliveryKind, Statement>>;
  private readonly recordConflict: Statement;
  private readonly deleteTags: Statement;
  private readonly insertTag: Statement;

  constructor(db: Database) {
    this.upsert = {
      posts: db.prepare(upsertSql(TARGETS.posts)),
      votes: db.prepare(upsertSql(TARGETS.votes)),
    };
    this.bulkInsert = {
      posts: db.prepare(bulkInsertSql(TARGETS.posts)),
      votes: db.prepare(bulkInsertSql(TARGETS.votes)),
    };
    this.stored = {
      posts: db.prepare(storedRowSql(TARGETS.posts)).raw(),
      votes: db.prepare(storedRowSql(TARGETS.votes)).raw(),
    };
    this.maxId = {
      posts: db.prepare("SELECT max(id) FROM posts_all").pluck(),
      votes: db.prepare("SELECT max(id) FROM votes_all").pluck(),
    };
    this.restore = {
      posts: db.prepare(restoreSql(TARGETS.posts)),
      votes: db.prepare(restoreSql(TARGETS.votes)),
    };
    this.recordConflict = db.prepare(
      `INSERT INTO vote_conflicts (vote_id, post_id, vote_type_id, user_id, bounty_amount, creation_date, load_id)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteTags = db.prepare("DELETE FROM post_tags_all WHERE post_id = ?");
    this.insertTag = db.prepare("INSERT INTO post_tags_all (post_id, tag) VALUES (?, ?)");
  }

  /**
   * Merges rows (in field order, id first) and adds what happened to `counts`. Ids mostly arrive
   * in increasing order, so an id above the highest stored one is known to be new without a
   * lookup; only the others are looked up.
   */
  merge(kind: DeliveryKind, rows: readonly Row[], loadId: number, counts: MergeCounts): void {
    let highest = (this.highestId[kind] ??=
      (this.maxId[kind].get() as number | bigint | null) ?? 0);
    const fresh: Row[] = [];
    for (const row of rows) {
      const id = row[0] as number | bigint;
      if (id > highest) {
        highest = id;
        fresh.push(row);
        if (fresh.length === BULK_ROWS) this.insertFresh(kind, fresh, loadId, counts);
        continue;
      }
      this.insertFresh(kind, fresh, loadId, counts);
      this.mergeOne(kind, row, loadId, counts);
    }
    this.insertFresh(kind, fresh, loadId, counts);
    this.highestId[kind] = highest;
  }

  /**
   * The ISO weeks (Mondays) whose rows this merger inserted, changed or moved since the last call:
   * the weekly totals to recompute.
   */
  takeTouchedWeeks(kind: DeliveryKind): string[] {
    const weeks = [...this.touchedWeeks[kind]];
    this.touchedWeeks[kind].clear();
    return weeks;
  }

  /** Notes that a row created at `creationDate` was deleted or restored: its week's totals change. */
  touch(kind: DeliveryKind, creationDate: string): void {
    this.touchedWeeks[kind].add(weekOf(creationDate));
  }

  /** Inserts rows whose ids are above every stored id, in increasing order, and empties `rows`. */
  private insertFresh(kind: DeliveryKind, rows: Row[], loadId: number, counts: MergeCounts): void {
    if (rows.length === 0) return;
    if (rows.length === BULK_ROWS) {
      const width = KINDS[kind].fields.length;
      const values = new Array<unknown>(BULK_ROWS * (width + 1));
      let at = 0;
      for (const row of rows) {
        for (let column = 0; column < width; column++) values[at++] = row[column];
        values[at++] = loadId;
      }
      counts.inserted += this.bulkInsert[kind].run(values).changes;
    } else {
      for (const row of rows) counts.inserted += this.upsert[kind].run(row, loadId).changes;
    }
    for (const row of rows) this.touched(kind, row, undefined);
    rows.length = 0;
  }

  private mergeOne(kind: DeliveryKind, row: Row, loadId: number, counts: MergeCounts): void {
    const stored = this.stored[kind].get(row[0]) as Row | undefined;
    if (stored !== undefined && stored[row.length] !== loadId) counts.known++;
    if (stored !== undefined && stored[row.length + 1] !== null) {
      this.restore[kind].run(row[0]);
      counts.restored++;
      this.touched(kind, row, stored);
    }
    if (stored !== undefined && sameValues(stored, row)) {
      counts.unchanged++;
      return;
    }
    const written = this.upsert[kind].run(row, loadId).changes > 0;
    if (kind === "votes" && stored !== undefined) {
      counts.conflicts++;
      const loser = written ? stored.slice(0, row.length + 1) : [...row, loadId];
      this.recordConflict.run(loser);
    }
    if (!written) {
      counts.unchanged++;
      return;
    }
    if (stored === undefined) counts.inserted++;
    else counts.updated++;
    this.touched(kind, row, stored);
  }

  /** Notes the weeks a written row lands in and leaves, and keeps a post's tags in step. */
  private touched(kind: DeliveryKind, row: Row, stored: Row | undefined): void {
    const creation = CREATION_DATE[kind];
    const weeks = this.touchedWeeks[kind];
    weeks.add(weekOf(row[creation] as string));
    if (stored !== undefined) weeks.add(weekOf(stored[creation] as string));
    if (kind === "posts") this.replaceTags(row, stored !== undefined);
  }

  private replaceTags(post: Row, existed: boolean): void {
    const postId = post[0];
    const tags = post[TAGS_COLUMN];
    if (existed) this.deleteTags.run(postId);
    for (const tag of splitTags(typeof tags === "string" ? tags : null)) {
      this.insertTag.run(postId, tag);
    }
  }
}

/**
 * True when a stored row holds exactly the incoming values. Strict equality implies SQL equality
 * (incoming integers beyond 2^53 are bigints, never equal to a stored number), so a row judged
 * the same is one the upsert would not have written.
 */
function sameValues(stored: Row, incoming: Row): boolean {
  for (let index = 0; index < incoming.length; index++) {
    if (stored[index] !== incoming[index]) return false;
  }
  return true;
}

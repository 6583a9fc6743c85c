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

const TARGETS: Readonly<Record<DeliveryKind, Target>> = {
  posts: {
    table: "posts",
    columns: KINDS.posts.fields.map((field) => field.column),
    freshness: "excluded.last_activity_date >= posts.last_activity_date",
  },
  votes: {
    table: "votes",
    columns: KINDS.votes.fields.map((field) => field.column),
    freshness: "1",
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

/**
 * Merges validated rows into a SQLite warehouse with statements prepared once per run. The caller
 * owns the transaction.
 *
 * @example
 * const merger = new SqliteMerger(db);
 * const counts = emptyCounts();
 * merger.merge("votes", rows, loadId, counts);
 */
export class SqliteMerger {
  private readonly upsert: Readonly<Record<DeliveryKind, Statement>>;
  /** The stored row's creation date, or undefined when the id is new. */
  private readonly stored: Readonly<Record<DeliveryKind, Statement>>;
  private readonly touchedWeeks: Readonly<Record<DeliveryKind, Set<string>>> = {
    posts: new Set(),
    votes: new Set(),
  };
  private readonly maxId: Readonly<Record<DeliveryKind, Statement>>;
  private readonly highestId: Partial<Record<DeliveryKind, number | bigint>> = {};
  private readonly deleteTags: Statement;
  private readonly insertTag: Statement;

  constructor(db: Database) {
    this.upsert = {
      posts: db.prepare(upsertSql(TARGETS.posts)),
      votes: db.prepare(upsertSql(TARGETS.votes)),
    };
    this.stored = {
      posts: db.prepare("SELECT creation_date FROM posts WHERE id = ?").pluck(),
      votes: db.prepare("SELECT creation_date FROM votes WHERE id = ?").pluck(),
    };
    this.maxId = {
      posts: db.prepare("SELECT max(id) FROM posts").pluck(),
      votes: db.prepare("SELECT max(id) FROM votes").pluck(),
    };
    this.deleteTags = db.prepare("DELETE FROM post_tags WHERE post_id = ?");
    this.insertTag = db.prepare("INSERT INTO post_tags (post_id, tag) VALUES (?, ?)");
  }

  /**
   * Merges rows (in field order, id first) and adds what happened to `counts`. Ids mostly arrive
   * in increasing order, so an id above the highest stored one is known to be new without a
   * lookup; only the others are looked up.
   */
  merge(kind: DeliveryKind, rows: readonly Row[], loadId: number, counts: MergeCounts): void {
    const upsert = this.upsert[kind];
    const stored = this.stored[kind];
    const weeks = this.touchedWeeks[kind];
    let highest = (this.highestId[kind] ??=
      (this.maxId[kind].get() as number | bigint | null) ?? 0);
    for (const row of rows) {
      const id = row[0] as number | bigint;
      const before = id > highest ? undefined : (stored.get(id) as string | undefined);
      const changed = upsert.run(...row, loadId).changes > 0;
      if (id > highest) highest = id;
      if (!changed) {
        counts.unchanged++;
        continue;
      }
      if (before === undefined) counts.inserted++;
      else {
        counts.updated++;
        weeks.add(weekOf(before));
      }
      weeks.add(weekOf(row[CREATION_DATE[kind]] as string));
      if (kind === "posts") this.replaceTags(row);
    }
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

  private replaceTags(post: Row): void {
    const postId = post[0];
    const tags = post[TAGS_COLUMN];
    this.deleteTags.run(postId);
    for (const tag of splitTags(typeof tags === "string" ? tags : null)) {
      this.insertTag.run(postId, tag);
    }
  }
}

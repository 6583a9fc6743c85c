import type { Database, Statement } from "better-sqlite3";
import type { Row } from "../model/field.js";
import type { DeliveryKind } from "../model/kinds.js";
import { KINDS } from "../model/kinds.js";
import type { MergeCounts } from "./merge-counts.js";
import { splitTags } from "./split-tags.js";

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
  private readonly exists: Readonly<Record<DeliveryKind, Statement>>;
  private readonly deleteTags: Statement;
  private readonly insertTag: Statement;

  constructor(db: Database) {
    this.upsert = {
      posts: db.prepare(upsertSql(TARGETS.posts)),
      votes: db.prepare(upsertSql(TARGETS.votes)),
    };
    this.exists = {
      posts: db.prepare("SELECT 1 FROM posts WHERE id = ?").pluck(),
      votes: db.prepare("SELECT 1 FROM votes WHERE id = ?").pluck(),
    };
    this.deleteTags = db.prepare("DELETE FROM post_tags WHERE post_id = ?");
    this.insertTag = db.prepare("INSERT INTO post_tags (post_id, tag) VALUES (?, ?)");
  }

  /** Merges rows (in field order, id first) and adds what happened to `counts`. */
  merge(kind: DeliveryKind, rows: readonly Row[], loadId: number, counts: MergeCounts): void {
    const upsert = this.upsert[kind];
    const exists = this.exists[kind];
    for (const row of rows) {
      const id = row[0];
      const existed = exists.get(id) !== undefined;
      const changed = upsert.run(...row, loadId).changes > 0;
      if (!changed) counts.unchanged++;
      else if (existed) counts.updated++;
      else counts.inserted++;
      if (changed && kind === "posts") this.replaceTags(row);
    }
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

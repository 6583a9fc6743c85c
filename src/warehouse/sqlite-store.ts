import type { Database, Statement } from "better-sqlite3";
import { splitTags } from "../load/split-tags.js";
import type { StoredRecord } from "../load/merge-rule.js";
import type { RecordId, RecordStore } from "../load/merger.js";
import type { FieldValue, Row } from "../model/field.js";
import { columnIndex, DELIVERY_KINDS, KINDS, type DeliveryKind } from "../model/kinds.js";

/** The table that stores each kind's records, deleted ones included (the views read them). */
export const STORED_TABLES: Readonly<Record<DeliveryKind, string>> = {
  posts: "posts_all",
  votes: "votes_all",
};
const COLUMNS: Readonly<Record<DeliveryKind, readonly string[]>> = {
  posts: [...KINDS.posts.fields.map((field) => field.column), "load_id"],
  votes: [...KINDS.votes.fields.map((field) => field.column), "load_id"],
};
const TAGS = columnIndex("posts", "tags");
const CONFLICT_COLUMNS =
  "vote_id, post_id, vote_type_id, user_id, bounty_amount, creation_date, load_id";

/** Rows written this many to a statement: a fraction of the per-call cost. */
const BULK_ROWS = 64;
/**
 * Ids looked up together are read as one range of ids when the range holds at most this many
 * ids per id wanted: a re-sent delivery's ids come in runs, and one range scan costs far less
 * than thousands of single lookups.
 */
const DENSE_RANGE = 4;

function writeSql(kind: DeliveryKind, rows: number): string {
  const columns = [...COLUMNS[kind], "deleted_by_load_id", "deleted_at"];
  const values = `(${columns.map(() => "?").join(", ")})`;
  return `INSERT OR REPLACE INTO ${STORED_TABLES[kind]} (${columns.join(", ")}) VALUES ${Array(rows).fill(values).join(", ")}`;
}

/**
 * The SQLite record store: looks stored records up by id and writes the merge's decisions, a
 * post's tags kept in step. Statements are prepared once; the caller owns the transaction.
 */
export class SqliteStore implements RecordStore {
  private readonly stored: Readonly<Record<DeliveryKind, Statement>>;
  private readonly storedRange: Readonly<Record<DeliveryKind, Statement>>;
  private readonly maxIds: Readonly<Record<DeliveryKind, Statement>>;
  private readonly one: Readonly<Record<DeliveryKind, Statement>>;
  private readonly bulk: Readonly<Record<DeliveryKind, Statement>>;
  private readonly conflict: Statement;
  private readonly deleteTags: Statement;
  private readonly insertTag: Statement;
  /** The values of one bulk write, reused from write to write. */
  private readonly bound: Partial<Record<DeliveryKind, FieldValue[]>> = {};

  constructor(db: Database) {
    const each = (sql: (kind: DeliveryKind) => string): Record<DeliveryKind, Statement> => ({
      posts: db.prepare(sql("posts")),
      votes: db.prepare(sql("votes")),
    });
    const storedWhere = (where: string) => (kind: DeliveryKind) =>
      `SELECT ${COLUMNS[kind].join(", ")}, deleted_by_load_id FROM ${STORED_TABLES[kind]} WHERE ${where}`;
    this.stored = each(storedWhere("id = ?"));
    this.storedRange = each(storedWhere("id BETWEEN ? AND ?"));
    for (const kind of DELIVERY_KINDS) {
      this.stored[kind].raw().safeIntegers();
      this.storedRange[kind].raw();
    }
    this.maxIds = each((kind) => `SELECT max(id) FROM ${STORED_TABLES[kind]}`);
    for (const kind of DELIVERY_KINDS) this.maxIds[kind].pluck().safeIntegers();
    this.one = each((kind) => writeSql(kind, 1));
    this.bulk = each((kind) => writeSql(kind, BULK_ROWS));
    this.conflict = db.prepare(
      `INSERT INTO vote_conflicts (${CONFLICT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteTags = db.prepare("DELETE FROM post_tags_all WHERE post_id = ?");
    this.insertTag = db.prepare("INSERT INTO post_tags_all (post_id, tag) VALUES (?, ?)");
  }

  maxId(kind: DeliveryKind): Promise<RecordId | null> {
    const id = this.maxIds[kind].get() as bigint | null;
    return Promise.resolve(id === null ? null : exact(id));
  }

  lookup(
    kind: DeliveryKind,
    ids: readonly RecordId[],
  ): Promise<ReadonlyMap<RecordId, StoredRecord>> {
    const found = new Map<RecordId, StoredRecord>();
    const width = KINDS[kind].fields.length;
    /** Keeps a row read with its load and deletion after its fields, trimmed to its fields. */
    const keep = (values: FieldValue[]): void => {
      const loadId = Number(values[width]);
      const deleted = values[width + 1] !== null;
      values.length = width;
      found.set(values[0] as RecordId, { row: values, loadId, deleted });
    };
    const range = denseRange(ids);
    if (range !== undefined) {
      const wanted = new Set(ids);
      for (const values of this.readRange(kind, range)) {
        if (wanted.has(values[0] as RecordId)) keep(values);
      }
      return Promise.resolve(found);
    }
    for (const id of ids) {
      const values = this.stored[kind].get(id) as FieldValue[] | undefined;
      if (values !== undefined) keep(values.map(exactValue));
    }
    return Promise.resolve(found);
  }

  /**
   * The rows of a range of ids. Integers are read as plain numbers, which is much faster than as
   * bigints; when one lies beyond 2^53 (and so was read inexactly) the range is read again exactly.
   */
  private readRange(kind: DeliveryKind, range: [RecordId, RecordId]): FieldValue[][] {
    const statement = this.storedRange[kind];
    const rows = statement.safeIntegers(false).all(...range) as FieldValue[][];
    if (rows.every((values) => values.every(isExact))) return rows;
    const exactRows = statement.safeIntegers(true).all(...range) as FieldValue[][];
    return exactRows.map((values) => values.map(exactValue));
  }

  write(kind: DeliveryKind, records: readonly StoredRecord[]): Promise<void> {
    const width = KINDS[kind].fields.length + 3;
    const bound = (this.bound[kind] ??= new Array<FieldValue>(BULK_ROWS * width));
    let at = 0;
    for (; at + BULK_ROWS <= records.length; at += BULK_ROWS) {
      for (let index = 0; index < BULK_ROWS; index++) {
        fill(bound, index * width, records[at + index] as StoredRecord);
      }
      this.bulk[kind].run(bound);
    }
    const one = new Array<FieldValue>(width);
    for (; at < records.length; at++) {
      fill(one, 0, records[at] as StoredRecord);
      this.one[kind].run(one);
    }
    if (kind === "posts") for (const record of records) this.replaceTags(record.row);
    return Promise.resolve();
  }

  recordConflicts(losers: readonly StoredRecord[]): Promise<void> {
    for (const { row, loadId } of losers) this.conflict.run(...row, loadId);
    return Promise.resolve();
  }

  private replaceTags(post: Row): void {
    const tags = post[TAGS];
    this.deleteTags.run(post[0]);
    for (const tag of splitTags(typeof tags === "string" ? tags : null)) {
      this.insertTag.run(post[0], tag);
    }
  }
}

/** Puts a stored record's values to bind at `offset`: its fields, load, and (live) no deletion. */
function fill(values: FieldValue[], offset: number, { row, loadId }: StoredRecord): void {
  let at = offset;
  for (const value of row) values[at++] = value;
  values[at++] = loadId;
  values[at++] = null;
  values[at] = null;
}

/** The smallest and largest of many ids, when few other ids lie between them (see DENSE_RANGE). */
function denseRange(ids: readonly RecordId[]): [RecordId, RecordId] | undefined {
  if (ids.length < BULK_ROWS) return undefined;
  let low = ids[0] as RecordId;
  let high = low;
  for (const id of ids) {
    if (id < low) low = id;
    if (id > high) high = id;
  }
  const span = Number(high) - Number(low) + 1;
  return span <= DENSE_RANGE * ids.length ? [low, high] : undefined;
}

/** An integer read exactly: a number when it is safe, a bigint beyond 2^53. */
function exact(value: bigint): number | bigint {
  return value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER
    ? Number(value)
    : value;
}

/** A value read with safeIntegers, as the merge compares it: integers by {@link exact}. */
function exactValue(value: FieldValue): FieldValue {
  return typeof value === "bigint" ? exact(value) : value;
}

/** False for a number that may be an integer read inexactly (beyond 2^53). */
function isExact(value: FieldValue): boolean {
  return typeof value !== "number" || Number.isSafeInteger(value);
}

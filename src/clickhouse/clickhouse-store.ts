import { splitTags } from "../load/split-tags.js";
import type { StoredRecord } from "../load/merge-rule.js";
import type { RecordId, RecordStore } from "../load/merger.js";
import type { FieldValue } from "../model/field.js";
import { columnIndex, KINDS, type DeliveryKind } from "../model/kinds.js";
import { jsonValue, type ClickHouseServers } from "./clickhouse-connection.js";
import { localName, RECORD_COLUMNS, visibleAt } from "./clickhouse-schema.js";
import { sqlInteger } from "./sql-literal.js";

/** Staged records are sent this many at a time (posts carry their bodies). */
const FLUSH_ROWS: Readonly<Record<DeliveryKind, number>> = { posts: 5_000, votes: 50_000 };
/** Ids looked up this many to a query, to stay well inside ClickHouse's query size. */
const LOOKUP_IDS = 5_000;
const TAGS = columnIndex("posts", "tags");

/**
 * The ClickHouse record store: what the merge decides is staged in `<kind>_stage`, each version
 * numbered (`seq`) so the latest wins; lookups see the stored records and this run's staged ones.
 */
export abstract class ClickHouseStore implements RecordStore {
  protected readonly servers: ClickHouseServers;
  protected readonly db: string;
  protected seq = 0;
  /** The last committed run, whose versions of the records a run reads. */
  protected committed = 0;
  protected pending: Record<DeliveryKind, object[]> = { posts: [], votes: [] };

  constructor(servers: ClickHouseServers) {
    this.servers = servers;
    this.db = servers.target.database;
  }

  abstract recordConflicts(losers: readonly StoredRecord[]): Promise<void>;

  /** A table's name to query: the Distributed table (or view) of a sharded table. */
  protected table(name: string): string {
    return `${this.db}.${name}`;
  }

  /** A sharded table's name to insert into: the Distributed table, or on one server the table. */
  protected writable(name: string): string {
    return `${this.db}.${this.servers.target.cluster === undefined ? localName(name) : name}`;
  }

  async maxId(kind: DeliveryKind): Promise<RecordId | null> {
    const [row] = await this.servers.rows(
      `SELECT max(id), count() FROM ${this.table(`${kind}_all`)}`,
    );
    return row?.[1] === 0 ? null : (row?.[0] as RecordId);
  }

  async lookup(
    kind: DeliveryKind,
    ids: readonly RecordId[],
  ): Promise<ReadonlyMap<RecordId, StoredRecord>> {
    const found = new Map<RecordId, StoredRecord>();
    if (ids.length === 0) return found;
    await this.flush(kind);
    const columns = RECORD_COLUMNS[kind].join(", ");
    const width = KINDS[kind].fields.length;
    for (let at = 0; at < ids.length; at += LOOKUP_IDS) {
      const list = ids
        .slice(at, at + LOOKUP_IDS)
        .map(sqlInteger)
        .join(", ");
      const stored = await this.servers.rows(
        `SELECT ${columns}, 0 AS seq FROM ${this.table(`${kind}_all`)}
         WHERE id IN (${list}) AND ${visibleAt(sqlInteger(this.committed))}
         UNION ALL
         SELECT ${columns}, seq FROM ${this.table(`${kind}_stage`)} WHERE id IN (${list})`,
      );
      const latest = new Map<RecordId, { seq: number; values: FieldValue[] }>();
      for (const values of stored) {
        const key = values[0] as RecordId;
        const seq = Number(values.at(-1));
        if ((latest.get(key)?.seq ?? -1) < seq)
          latest.set(key, { seq, values: values as FieldValue[] });
      }
      for (const [key, { values }] of latest) {
        found.set(key, {
          row: values.slice(0, width),
          loadId: Number(values[width]),
          deleted: values[width + 1] !== null,
        });
      }
    }
    return found;
  }

  async write(kind: DeliveryKind, records: readonly StoredRecord[]): Promise<void> {
    const fields = KINDS[kind].fields;
    for (const { row, loadId } of records) {
      const staged: Record<string, unknown> = {
        load_id: loadId,
        deleted_by_load_id: null,
        deleted_at: null,
        seq: ++this.seq,
      };
      fields.forEach((field, index) => {
        staged[field.column] = jsonValue(row[index] ?? null);
      });
      if (kind === "posts") {
        const tags = row[TAGS];
        staged.tags_array = splitTags(typeof tags === "string" ? tags : null);
      }
      this.pending[kind].push(staged);
    }
    if (this.pending[kind].length >= FLUSH_ROWS[kind]) await this.flush(kind);
  }

  protected async flush(kind: DeliveryKind): Promise<void> {
    const rows = this.pending[kind];
    if (rows.length === 0) return;
    this.pending[kind] = [];
    await this.servers.insert(this.writable(`${kind}_stage`), rows);
  }
}

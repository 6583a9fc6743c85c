import type { Row } from "../model/field.js";
import { columnIndex, type DeliveryKind } from "../model/kinds.js";

/** What the ledger records of one delivery file, beside its counts. */
export interface LedgerEntry {
  readonly minId: number | bigint | null;
  readonly maxId: number | bigint | null;
  /** The earliest creation date among the file's valid records. */
  readonly firstDate: string | null;
  /** The newest date: the latest `last_activity_date` of posts, `creation_date` of votes. */
  readonly lastDate: string | null;
}

const NEWEST: Readonly<Record<DeliveryKind, number>> = {
  posts: columnIndex("posts", "last_activity_date"),
  votes: columnIndex("votes", "creation_date"),
};
const CREATED: Readonly<Record<DeliveryKind, number>> = {
  posts: columnIndex("posts", "creation_date"),
  votes: columnIndex("votes", "creation_date"),
};

/**
 * The delivery ledger of one file, kept while its valid rows are merged: id range and date range,
 * which the ledger checks compare with earlier deliveries (a stale snapshot, a shrunken one).
 *
 * @example
 * const ledger = new FileLedger("votes");
 * ledger.add(rows);
 * ledger.entry(); // { minId: 1, maxId: 40299, firstDate: "2017-02-28T00:00:00.000", lastDate: ... }
 */
export class FileLedger {
  private readonly kind: DeliveryKind;
  private minId: number | bigint | null = null;
  private maxId: number | bigint | null = null;
  private firstDate: string | null = null;
  private lastDate: string | null = null;

  constructor(kind: DeliveryKind) {
    this.kind = kind;
  }

  add(rows: readonly Row[]): void {
    const created = CREATED[this.kind];
    const newest = NEWEST[this.kind];
    for (const row of rows) {
      const id = row[0] as number | bigint;
      if (this.minId === null || id < this.minId) this.minId = id;
      if (this.maxId === null || id > this.maxId) this.maxId = id;
      const first = row[created] as string;
      const last = row[newest] as string;
      if (this.firstDate === null || first < this.firstDate) this.firstDate = first;
      if (this.lastDate === null || last > this.lastDate) this.lastDate = last;
    }
  }

  entry(): LedgerEntry {
    return {
      minId: this.minId,
      maxId: this.maxId,
      firstDate: this.firstDate,
      lastDate: this.lastDate,
    };
  }
}

import type { Row } from "../model/field.js";
import { columnIndex, type DeliveryKind } from "../model/kinds.js";
import type { MergeCounts } from "./merge-counts.js";
import { decide, type StoredRecord } from "./merge-rule.js";
import { weekOf } from "../model/week.js";

/** A record id: integers beyond 2^53 are bigints. */
export type RecordId = number | bigint;

/** Where merged records are kept: what an engine gives the merge. */
export interface RecordStore {
  /** The highest id of a kind stored so far (deleted records included), or null. */
  maxId(kind: DeliveryKind): Promise<RecordId | null>;
  /**
   * The stored records of these ids, as this run left them so far, by id (a number when it is
   * at most 2^53, else a bigint, as in rows).
   */
  lookup(
    kind: DeliveryKind,
    ids: readonly RecordId[],
  ): Promise<ReadonlyMap<RecordId, StoredRecord>>;
  /** Stores records, each replacing any stored one of its id. */
  write(kind: DeliveryKind, records: readonly StoredRecord[]): Promise<void>;
  /** Keeps the losing versions of votes re-sent with other content. */
  recordConflicts(losers: readonly StoredRecord[]): Promise<void>;
}

const CREATION_DATE: Readonly<Record<DeliveryKind, number>> = {
  posts: columnIndex("posts", "creation_date"),
  votes: columnIndex("votes", "creation_date"),
};

/**
 * Merges validated rows into a warehouse by {@link decide}, batch by batch, the same on every
 * engine: the engine only looks records up and stores what the rule decided. Ids above the
 * highest stored one are new without a lookup (ids mostly arrive in increasing order).
 *
 * @example
 * const merger = new Merger(store);
 * await merger.merge("votes", rows, loadId, counts);
 * merger.takeTouchedWeeks("votes"); // the weeks whose totals changed
 */
export class Merger {
  private readonly store: RecordStore;
  private readonly highest: Partial<Record<DeliveryKind, RecordId>> = {};
  private readonly touchedWeeks: Readonly<Record<DeliveryKind, Set<string>>> = {
    posts: new Set(),
    votes: new Set(),
  };

  constructor(store: RecordStore) {
    this.store = store;
  }

  /** Merges rows (in field order, id first) and adds what happened to `counts`. */
  async merge(
    kind: DeliveryKind,
    rows: readonly Row[],
    loadId: number,
    counts: MergeCounts,
  ): Promise<void> {
    let highest = (this.highest[kind] ??= (await this.store.maxId(kind)) ?? 0);
    const candidates: RecordId[] = [];
    for (const row of rows) {
      const id = row[0] as RecordId;
      if (id > highest) highest = id;
      else candidates.push(id);
    }
    const known = new Map(await this.store.lookup(kind, candidates));
    const batchHighest = highest;
    highest = this.highest[kind];
    const writes = new Map<RecordId, StoredRecord>();
    const losers: StoredRecord[] = [];
    for (const row of rows) {
      const id = row[0] as RecordId;
      const stored = id > highest ? undefined : known.get(id);
      if (id > highest) highest = id;
      if (stored !== undefined && stored.loadId !== loadId) counts.known++;
      const decision = decide(kind, stored, row, loadId);
      counts[decision.outcome]++;
      if (decision.restored) counts.restored++;
      if (decision.stale === true) counts.stale++;
      if (decision.conflictLoser !== undefined) {
        counts.conflicts++;
        losers.push(decision.conflictLoser);
      }
      if (decision.write === undefined) continue;
      known.set(id, decision.write);
      writes.set(id, decision.write);
      this.touch(kind, row[CREATION_DATE[kind]] as string);
      if (stored !== undefined) this.touch(kind, stored.row[CREATION_DATE[kind]] as string);
    }
    this.highest[kind] = batchHighest;
    await this.store.write(kind, [...writes.values()]);
    if (losers.length > 0) await this.store.recordConflicts(losers);
  }

  /** Notes that a record created at `creationDate` changed outside a merge (deleted): its week's totals change. */
  touch(kind: DeliveryKind, creationDate: string): void {
    this.touchedWeeks[kind].add(weekOf(creationDate));
  }

  /** The ISO weeks (Mondays) whose records were inserted, changed or moved since the last call. */
  takeTouchedWeeks(kind: DeliveryKind): string[] {
    const weeks = [...this.touchedWeeks[kind]];
    this.touchedWeeks[kind].clear();
    return weeks;
  }
}

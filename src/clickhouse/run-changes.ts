import type { DeliveryKind } from "../model/kinds.js";
import type { LoadStart, LoadTally } from "../warehouse/loads-log.js";
import { jsonValue } from "./clickhouse-connection.js";

/** One row of `loads`, kept in memory until the run commits. */
export type LoadRow = Record<string, unknown> & {
  load_id: number;
  run_id: number;
  records_read: number;
};

/** What a run changed beyond the records it staged, kept in memory until it commits. */
export interface RunChanges {
  readonly loads: Map<number, LoadRow>;
  readonly conflicts: object[];
  readonly unknownKeys: object[];
  /** The weeks whose totals the run's records changed. */
  readonly weeks: Readonly<Record<DeliveryKind, Set<string>>>;
}

const COUNTS = ["inserted", "updated", "unchanged", "rejected", "deleted", "restored", "conflicts"];
const LEDGER = [
  "rules_version",
  "expected_records",
  "known_ids",
  "min_id",
  "max_id",
  "first_date",
  "last_date",
];

/** A run with nothing in it yet. */
export function emptyChanges(): RunChanges {
  return {
    loads: new Map<number, LoadRow>(),
    conflicts: [],
    unknownKeys: [],
    weeks: { posts: new Set(), votes: new Set() },
  };
}

/** The `loads` row of a load that has begun (`running`) or was skipped (`already-loaded`). */
export function openedLoad(load: LoadStart, loadId: number, now: Date, outcome: string): LoadRow {
  return {
    load_id: loadId,
    run_id: load.runId,
    kind: load.kind,
    source_path: load.sourcePath,
    size_bytes: load.sizeBytes,
    sha256: load.sha256,
    arrived_at: load.arrivedAt,
    loaded_at: now.toISOString(),
    source: load.source,
    outcome,
    delivery: load.delivery,
    records_read: 0,
    ...Object.fromEntries(COUNTS.map((column) => [column, 0])),
    ...Object.fromEntries(LEDGER.map((column) => [column, null])),
  };
}

/** The columns of `loads` a finished load sets. */
export function finishedLoad(tally: LoadTally, now: Date): Record<string, unknown> {
  return {
    outcome: "loaded",
    loaded_at: now.toISOString(),
    sha256: tally.sha256,
    records_read: tally.read,
    inserted: tally.inserted,
    updated: tally.updated,
    unchanged: tally.unchanged,
    rejected: tally.rejected,
    deleted: tally.deleted,
    restored: tally.restored,
    conflicts: tally.conflicts,
    rules_version: tally.rulesVersion,
    expected_records: tally.expectedRecords,
    known_ids: tally.knownIds,
    min_id: jsonValue(tally.minId),
    max_id: jsonValue(tally.maxId),
    first_date: tally.firstDate,
    last_date: tally.lastDate,
  };
}

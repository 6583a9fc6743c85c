/** A load as the ledger checks read it from `loads`. */
export interface LedgerLoad {
  readonly load_id: number;
  readonly run_id: number;
  readonly kind: string;
  readonly delivery: string;
  readonly outcome: string;
  readonly records_read: number;
  readonly last_date: string | null;
}

/** The columns of `loads` the ledger checks read, the same on every engine. */
export const LEDGER_SQL =
  "SELECT load_id, run_id, kind, delivery, outcome, records_read, last_date FROM loads ORDER BY load_id";

const mean = (values: readonly number[]): number =>
  values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * Checks over the delivery ledger (`loads`): each compares the latest run's deliveries with the
 * ones before them, since a delivery cut short at a record boundary, or an old one sent again,
 * passes every check of its records. They read the ledger's few rows, so they are written once,
 * here, for every engine; their sample ids are load ids.
 *
 * @example
 * ledgerFindings(loads).snapshot_shrank; // [7]
 */
export function ledgerFindings(loads: readonly LedgerLoad[]): Record<string, number[]> {
  const lastRun = Math.max(0, ...loads.map((load) => load.run_id));
  const latest = loads.filter((load) => load.outcome === "loaded" && load.run_id === lastRun);
  /** Loads of the same kind and delivery type, read before `load`, newest first. */
  const earlier = (load: LedgerLoad): LedgerLoad[] =>
    loads
      .filter(
        (other) =>
          other.kind === load.kind &&
          other.delivery === load.delivery &&
          other.outcome === "loaded" &&
          other.load_id < load.load_id,
      )
      .reverse();
  const failing = (rule: (load: LedgerLoad) => boolean): number[] =>
    latest.filter(rule).map((load) => load.load_id);
  return {
    snapshot_shrank: failing((load) => {
      const previous = earlier(load)[0];
      return (
        load.delivery === "snapshot" &&
        previous !== undefined &&
        load.records_read < previous.records_read
      );
    }),
    delivery_off_trend: failing((load) => {
      const recent = earlier(load).slice(0, 8);
      if (earlier(load).length < 3) return false;
      const trend = mean(recent.map((other) => other.records_read));
      return load.records_read < trend / 2 || load.records_read > trend * 2;
    }),
    delivery_stale: failing((load) => {
      const newest = loads
        .filter((other) => other.kind === load.kind && other.run_id < load.run_id)
        .map((other) => other.last_date)
        .reduce<string | null>((a, b) => (b !== null && (a === null || b > a) ? b : a), null);
      return load.last_date !== null && newest !== null && load.last_date < newest;
    }),
  };
}

/** The ledger checks' names and meanings, in the order they are reported. */
export const LEDGER_CHECKS = [
  {
    name: "snapshot_shrank",
    description:
      "full snapshots (load ids) of the latest run with fewer records than the previous one of their kind",
  },
  {
    name: "delivery_off_trend",
    description:
      "deliveries (load ids) of the latest run with under half or over twice the mean records of the last 8 of their kind and type (once there are 3 earlier ones)",
  },
  {
    name: "delivery_stale",
    description:
      "deliveries (load ids) of the latest run whose newest record is older than the newest the warehouse had of their kind",
  },
] as const;

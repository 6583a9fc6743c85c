import type { Check } from "./checks.js";

/** Loads `l` of the latest run that read their file (not skipped as already loaded). */
const LATEST_RUN = "l.outcome = 'loaded' AND l.run_id = (SELECT max(run_id) FROM loads)";

/** Loads `p` a load `l` is compared with: the same kind and delivery type, read before it. */
const EARLIER = (p: string): string =>
  `${p}.kind = l.kind AND ${p}.delivery = l.delivery AND ${p}.outcome = 'loaded' AND ${p}.load_id < l.load_id`;

/** Records of the last 8 earlier loads of `l`'s kind and type, on average (the recent trend). */
const RECENT_MEAN = `(SELECT avg(p.records_read) FROM loads AS p WHERE ${EARLIER("p")}
  AND p.load_id >= coalesce((SELECT q.load_id FROM loads AS q WHERE ${EARLIER("q")}
                             ORDER BY q.load_id DESC LIMIT 1 OFFSET 7), 0))`;

/**
 * Checks over the delivery ledger (`loads`): each compares the latest run's deliveries with the
 * ones before them, since a delivery cut short at a record boundary, or an old one sent again,
 * passes every check of its records. Their sample ids are load ids.
 */
export const LEDGER_CHECKS: readonly Check[] = [
  {
    name: "snapshot_shrank",
    severity: "warning",
    description:
      "full snapshots (load ids) of the latest run with fewer records than the previous one of their kind",
    sql: `SELECT l.load_id AS id FROM loads AS l WHERE ${LATEST_RUN} AND l.delivery = 'snapshot'
          AND l.records_read < (SELECT p.records_read FROM loads AS p WHERE ${EARLIER("p")}
                                ORDER BY p.load_id DESC LIMIT 1)`,
  },
  {
    name: "delivery_off_trend",
    severity: "warning",
    description:
      "deliveries (load ids) of the latest run with under half or over twice the mean records of the last 8 of their kind and type",
    sql: `SELECT l.load_id AS id FROM loads AS l WHERE ${LATEST_RUN}
          AND (SELECT count(*) FROM loads AS p WHERE ${EARLIER("p")}) >= 3
          AND (l.records_read < ${RECENT_MEAN} / 2 OR l.records_read > ${RECENT_MEAN} * 2)`,
  },
  {
    name: "delivery_stale",
    severity: "warning",
    description:
      "deliveries (load ids) of the latest run whose newest record is older than the newest the warehouse had of their kind",
    sql: `SELECT l.load_id AS id FROM loads AS l WHERE ${LATEST_RUN}
          AND l.last_date < (SELECT max(p.last_date) FROM loads AS p
                             WHERE p.kind = l.kind AND p.run_id < l.run_id)`,
  },
  {
    name: "votes_resent_with_other_content",
    severity: "warning",
    description:
      "votes delivered again with other content; the earliest is kept, the others are in vote_conflicts",
    sql: "SELECT DISTINCT vote_id AS id FROM vote_conflicts",
  },
];

import { DELIVERY_KINDS, type DeliveryKind } from "../model/kinds.js";
import type { ClickHouseServers } from "./clickhouse-connection.js";
import { computeRollups, writeGeneration } from "./clickhouse-rollups.js";
import type { RunChanges } from "./run-changes.js";
import {
  AUDIT_NAMES,
  committedRun,
  localName,
  PARTITION_OF,
  RECORD_COLUMNS,
  ROLLUP_TABLES,
  visibleAt,
} from "./clickhouse-schema.js";
import { sqlInteger, sqlString } from "./sql-literal.js";

/** One partition of one server's records that a commit replaces. */
interface Swap {
  readonly kind: DeliveryKind;
  readonly server: number;
  readonly partition: number;
}

const columnsOf = (kind: DeliveryKind): string => RECORD_COLUMNS[kind].join(", ");
const localTable = (db: string, kind: string, suffix: string): string =>
  `${db}.${localName(`${kind}_${suffix}`)}`;

/**
 * Commits a run on ClickHouse so that readers see all of it or none of it. Each partition the run
 * touched is built whole in `<kind>_next`, every version readers see now kept, the ones the run
 * replaces and the ones it wrote marked with the run (see {@link visibleAt}), and swapped in with
 * `REPLACE PARTITION`: readers still see the versions as before. The weekly rollups are written as
 * the run's generation and the audit rows under its load ids, both unseen too. The run's `loads`
 * rows, inserted last in one block, are the commit: from then on readers see the run's versions,
 * rollups and audit. {@link recoverInterruptedCommit} settles a commit cut short.
 *
 * @param committed the last committed run, which readers see until this one is
 * @example
 * await commitRun(servers, changes, 4);
 */
export async function commitRun(
  servers: ClickHouseServers,
  changes: RunChanges,
  committed: number,
): Promise<void> {
  const db = servers.target.database;
  const runs = [...changes.loads.values()].map((load) => load.run_id);
  if (runs.length === 0) return;
  const run = Math.max(...runs);
  if (run <= committed) {
    throw new Error(
      `run ${String(run)} does not follow the last committed run ${String(committed)}`,
    );
  }
  const seen = visibleAt(sqlInteger(committed));
  const swaps: Swap[] = [];
  for (const kind of DELIVERY_KINDS) {
    const [all, stage, next] = ["all", "stage", "next"].map((suffix) =>
      localTable(db, kind, suffix),
    );
    const columns = columnsOf(kind);
    for (let server = 0; server < servers.servers; server++) {
      const partitions = await servers.rows(
        `SELECT DISTINCT ${PARTITION_OF} FROM ${stage}`,
        server,
      );
      for (const [value] of partitions) {
        const partition = Number(value);
        const inPartition = `${PARTITION_OF} = ${sqlInteger(partition)}`;
        await servers.exec(
          `INSERT INTO ${next} (${columns}, changed_by_run, is_new_version)
           SELECT ${columns}, if(id IN (SELECT id FROM ${stage} WHERE ${inPartition}),
                                 toInt64(${sqlInteger(run)}), NULL), 0
           FROM ${all} WHERE ${inPartition} AND ${seen}`,
          server,
        );
        await servers.exec(
          `INSERT INTO ${next} (${columns}, changed_by_run, is_new_version)
           SELECT ${columns}, toInt64(${sqlInteger(run)}), 1 FROM ${stage}
           WHERE (id, seq) IN (SELECT id, max(seq) FROM ${stage} WHERE ${inPartition} GROUP BY id)`,
          server,
        );
        swaps.push({ kind, server, partition });
      }
    }
  }
  const current = (kind: DeliveryKind, where: string, columns: string): string =>
    currentRecords(db, kind, committed, where, columns);
  await writeGeneration(
    servers,
    await computeRollups(servers, changes.weeks, new Date(), current),
    run,
  );
  await servers.insert(
    `${db}.commit_journal`,
    swaps.map((swap) => ({ run_id: run, ...swap })),
  );
  for (const { kind, server, partition } of swaps) {
    await servers.exec(
      `ALTER TABLE ${localTable(db, kind, "all")} REPLACE PARTITION ${sqlInteger(partition)}
       FROM ${localTable(db, kind, "next")}`,
      server,
    );
  }
  await servers.exec(`INSERT INTO ${db}.rejected_records_all SELECT * FROM ${db}.rejected_stage`);
  await servers.insert(`${db}.vote_conflicts_all`, changes.conflicts);
  await servers.insert(`${db}.load_unknown_keys_all`, changes.unknownKeys);
  await servers.insert(`${db}.loads`, [...changes.loads.values()]);
  await servers.exec(`TRUNCATE TABLE ${db}.commit_journal`);
}

/**
 * Settles a commit that was cut short (the process killed, a server lost), so the warehouse holds
 * only what readers already see: the partitions an uncommitted run swapped are rebuilt without
 * its marks and versions, and the rollup generations and audit rows of runs not committed are
 * dropped. Call under the run lock before a run begins.
 *
 * @returns the last committed run
 */
export async function recoverInterruptedCommit(servers: ClickHouseServers): Promise<number> {
  const db = servers.target.database;
  const committed = await servers.count(`SELECT ${committedRun(db)}`);
  const seen = visibleAt(sqlInteger(committed));
  const journal = await servers.rows(
    `SELECT kind, server, partition FROM ${db}.commit_journal WHERE run_id > ${sqlInteger(committed)}`,
  );
  for (const [kind, server, value] of journal) {
    const [all, next] = ["all", "next"].map((suffix) => localTable(db, String(kind), suffix));
    const columns = columnsOf(String(kind) as DeliveryKind);
    const partition = sqlInteger(Number(value));
    await servers.exec(`TRUNCATE TABLE ${next}`, Number(server));
    await servers.exec(
      `INSERT INTO ${next} (${columns}, changed_by_run, is_new_version)
       SELECT ${columns}, NULL, 0 FROM ${all} WHERE ${PARTITION_OF} = ${partition} AND ${seen}`,
      Number(server),
    );
    await servers.exec(
      `ALTER TABLE ${all} REPLACE PARTITION ${partition} FROM ${next}`,
      Number(server),
    );
  }
  const stale = (table: string, keep: (run: number) => boolean): Promise<void> =>
    dropPartitions(servers, table, (partition) => !keep(Number(partition)));
  for (const table of Object.keys(ROLLUP_TABLES)) {
    await stale(`${table}_by_run`, (run) => run === committed);
  }
  for (const table of AUDIT_NAMES) await stale(`${table}_all`, (run) => run <= committed);
  await servers.exec(`TRUNCATE TABLE ${db}.commit_journal`);
  return committed;
}

/** Drops the partitions of a table on the first server that `drop` picks. */
async function dropPartitions(
  servers: ClickHouseServers,
  table: string,
  drop: (partition: string) => boolean,
): Promise<void> {
  const db = servers.target.database;
  const partitions = await servers.rows(
    `SELECT DISTINCT partition FROM system.parts
     WHERE database = ${sqlString(db)} AND table = ${sqlString(table)} AND active`,
  );
  for (const [partition] of partitions) {
    if (drop(String(partition))) {
      await servers.exec(
        `ALTER TABLE ${db}.${table} DROP PARTITION ${sqlInteger(Number(partition))}`,
      );
    }
  }
}

/**
 * The live records of a kind as a run leaves them (the stored ones readers see that it did not
 * stage, and the latest staged version of the others), as a subquery of the given columns; `extra`
 * adds a condition.
 *
 * @param committed the last committed run
 * @example
 * `SELECT count() FROM ${currentRecords("stackhouse", "votes", 4)}`;
 */
export function currentRecords(
  db: string,
  kind: DeliveryKind,
  committed: number,
  extra = "",
  columns = RECORD_COLUMNS[kind].join(", "),
): string {
  const stageLocal = localTable(db, kind, "stage");
  return `(SELECT ${columns} FROM ${db}.${kind}_all
             WHERE id NOT IN (SELECT id FROM ${stageLocal}) AND deleted_by_load_id IS NULL
             AND ${visibleAt(sqlInteger(committed))}${extra}
           UNION ALL
           SELECT ${columns} FROM ${db}.${kind}_stage
             WHERE (id, seq) IN (SELECT id, max(seq) FROM ${stageLocal} GROUP BY id)
             AND deleted_by_load_id IS NULL${extra})`;
}

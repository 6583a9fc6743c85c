import { calendarTables, type PostWeek, type VoteWeek } from "../analysis/weekly-calendar.js";
import type { DeliveryKind } from "../model/kinds.js";
import { WEEK_OF_SQL } from "../model/week.js";
import type { ClickHouseServers } from "./clickhouse-connection.js";
import type { RunChanges } from "./run-changes.js";
import {
  AUDIT_NAMES,
  localName,
  PARTITION_OF,
  RECORD_COLUMNS,
  ROLLUP_TABLES,
  visibleAt,
  type RollupTable,
} from "./clickhouse-schema.js";
import { sqlInteger, sqlString } from "./sql-literal.js";

const KIND_LIST = ["posts", "votes"] as const;

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
  for (const kind of KIND_LIST) {
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
  const committed = await servers.count(`SELECT max(run_id) FROM ${db}.loads`);
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

const WEEK_OF = WEEK_OF_SQL.clickhouse("creation_date");

/**
 * Recomputes every weekly total and the calendar from the live records, as the generation of the
 * last committed run: for a warehouse whose records were changed outside a run.
 */
export async function refreshRollupTables(servers: ClickHouseServers, now: Date): Promise<void> {
  const db = servers.target.database;
  const committed = await servers.count(`SELECT max(run_id) FROM ${db}.loads`);
  const views = (kind: DeliveryKind, where: string, columns: string): string =>
    `(SELECT ${columns} FROM ${db}.${kind} WHERE 1 ${where})`;
  const rollups = await computeRollups(servers, "all", now, views);
  for (const table of Object.keys(ROLLUP_TABLES)) {
    await servers.exec(`ALTER TABLE ${db}.${table}_by_run DROP PARTITION ${sqlInteger(committed)}`);
  }
  await writeGeneration(servers, rollups, committed);
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

/** The rows of each rollup table. */
type Rollups = Readonly<Record<RollupTable, readonly object[]>>;

async function computeRollups(
  servers: ClickHouseServers,
  weeks: Readonly<Record<DeliveryKind, Set<string>>> | "all",
  now: Date,
  /** The live records of a kind, with the columns given, meeting a condition (`AND ...`). */
  source: (kind: DeliveryKind, where: string, columns: string) => string,
): Promise<Rollups> {
  const stored = await readTotals(servers);
  const touched = (kind: DeliveryKind): string[] | "all" =>
    weeks === "all" ? "all" : [...weeks[kind]];
  const votes = await recompute<VoteWeek>(
    servers,
    stored.votes,
    touched("votes"),
    (where, group) =>
      `SELECT ${WEEK_OF} AS week_start, count(), uniqExact(post_id), countIf(vote_type_id = 2),
            countIf(vote_type_id = 3), min(creation_date), max(creation_date)
     FROM ${source("votes", where, "post_id, vote_type_id, creation_date")} ${group}`,
    ["week_start", "votes", "posts_voted", "upvotes", "downvotes", "first_vote", "last_vote"],
  );
  const posts = await recompute<PostWeek>(
    servers,
    stored.posts,
    touched("posts"),
    (where, group) =>
      `SELECT ${WEEK_OF} AS week_start, count(), min(creation_date), max(last_activity_date)
     FROM ${source("posts", where, "creation_date, last_activity_date")} ${group}`,
    ["week_start", "created", "first_created", "last_activity"],
  );
  const calendar = calendarTables(votes, posts, now);
  return { weekly_vote_totals: votes, weekly_post_totals: posts, ...calendar };
}

/** The totals of the touched weeks computed again, the others as stored, oldest week first. */
async function recompute<T extends { readonly week_start: string }>(
  servers: ClickHouseServers,
  stored: readonly T[],
  touched: readonly string[] | "all",
  select: (where: string, group: string) => string,
  names: readonly string[],
): Promise<T[]> {
  if (touched !== "all" && touched.length === 0) return [...stored];
  const where =
    touched === "all"
      ? ""
      : ` AND creation_date >= ${sqlString(touched.reduce((a, b) => (b < a ? b : a)))}`;
  const group =
    touched === "all"
      ? "GROUP BY week_start"
      : `GROUP BY week_start HAVING week_start IN (${touched.map(sqlString).join(", ")})`;
  const fresh = (await servers.rows(select(where, group))).map(
    (row) => Object.fromEntries(names.map((name, index) => [name, row[index]])) as T,
  );
  const replaced = new Set(touched === "all" ? stored.map((week) => week.week_start) : touched);
  return [...stored.filter((week) => !replaced.has(week.week_start)), ...fresh].sort((a, b) =>
    a.week_start < b.week_start ? -1 : 1,
  );
}

/** Writes each rollup table's rows as the generation of a run, which readers see once it is committed. */
async function writeGeneration(
  servers: ClickHouseServers,
  rollups: Rollups,
  run: number,
): Promise<void> {
  const db = servers.target.database;
  for (const [table, rows] of Object.entries(rollups)) {
    await servers.insert(
      `${db}.${table}_by_run`,
      rows.map((row) => ({ ...row, run_id: run })),
    );
  }
}

/**
 * The weekly totals the last commit left, oldest week first.
 *
 * @example
 * const { votes, posts } = await readTotals(servers);
 */
export async function readTotals(
  servers: ClickHouseServers,
): Promise<{ votes: VoteWeek[]; posts: PostWeek[] }> {
  const db = servers.target.database;
  const read = async <T>(sql: string, names: readonly string[]): Promise<T[]> =>
    (await servers.rows(sql)).map(
      (row) => Object.fromEntries(names.map((name, index) => [name, row[index]])) as T,
    );
  return {
    votes: await read<VoteWeek>(`SELECT * FROM ${db}.weekly_vote_totals ORDER BY week_start`, [
      "week_start",
      "votes",
      "posts_voted",
      "upvotes",
      "downvotes",
      "first_vote",
      "last_vote",
    ]),
    posts: await read<PostWeek>(`SELECT * FROM ${db}.weekly_post_totals ORDER BY week_start`, [
      "week_start",
      "created",
      "first_created",
      "last_activity",
    ]),
  };
}

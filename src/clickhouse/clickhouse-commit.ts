import { calendarTables, type PostWeek, type VoteWeek } from "../analysis/weekly-calendar.js";
import type { DeliveryKind } from "../model/kinds.js";
import { WEEK_OF_SQL } from "../model/week.js";
import type { ClickHouseServers } from "./clickhouse-connection.js";
import type { RunChanges } from "./run-changes.js";
import {
  localName,
  PARTITION_OF,
  RECORD_COLUMNS,
  ROLLUP_TABLES,
  type RollupTable,
} from "./clickhouse-schema.js";
import { sqlInteger, sqlString } from "./sql-literal.js";

const KIND_LIST = ["posts", "votes"] as const;
const AUDIT_TABLES = ["rejected_records", "load_unknown_keys", "vote_conflicts"] as const;

/** One partition of one server's records that a commit replaces. */
interface Swap {
  readonly kind: DeliveryKind;
  readonly server: number;
  readonly partition: number;
}

/**
 * Commits a run on ClickHouse. First, with nothing visible yet: each partition the run touched is
 * built whole in `<kind>_next` (its stored records the run left alone, and the latest staged
 * version of the others), and the weekly rollups and calendar are computed from the records as the
 * run leaves them into their `_next` tables. Then the swap step: one partition at a time, copied
 * to `<kind>_undo`, noted in `commit_journal`, and swapped in with `REPLACE PARTITION`; the
 * rollup tables swapped whole; the audit written, and the run's `loads` rows last: a run is
 * committed when its loads are in. An interrupted commit is rolled back from the undo copies by
 * {@link recoverInterruptedCommit}.
 *
 * @example
 * await commitRun(servers, changes);
 */
export async function commitRun(servers: ClickHouseServers, changes: RunChanges): Promise<void> {
  const db = servers.target.database;
  const run = [...changes.loads.values()][0]?.run_id;
  if (run === undefined) return;
  const swaps: Swap[] = [];
  for (const kind of KIND_LIST) {
    const table = (suffix: string): string => `${db}.${localName(`${kind}_${suffix}`)}`;
    const columns = RECORD_COLUMNS[kind].join(", ");
    for (let server = 0; server < servers.servers; server++) {
      const partitions = await servers.rows(
        `SELECT DISTINCT ${PARTITION_OF} FROM ${table("stage")}`,
        server,
      );
      for (const [value] of partitions) {
        const partition = Number(value);
        const inPartition = `${PARTITION_OF} = ${sqlInteger(partition)}`;
        await servers.exec(
          `INSERT INTO ${table("next")} SELECT ${columns} FROM ${table("all")} WHERE ${inPartition}
             AND id NOT IN (SELECT id FROM ${table("stage")} WHERE ${inPartition})`,
          server,
        );
        await servers.exec(
          `INSERT INTO ${table("next")} SELECT ${columns} FROM ${table("stage")}
             WHERE (id, seq) IN (SELECT id, max(seq) FROM ${table("stage")} WHERE ${inPartition} GROUP BY id)`,
          server,
        );
        swaps.push({ kind, server, partition });
      }
    }
  }
  const current = (kind: DeliveryKind, where: string, columns: string): string =>
    currentRecords(db, kind, where, columns);
  const rollups = await computeRollups(servers, changes.weeks, new Date(), current);
  await fillNext(servers, rollups);
  for (const { kind, server, partition } of swaps) {
    const table = (suffix: string): string => `${db}.${localName(`${kind}_${suffix}`)}`;
    const p = sqlInteger(partition);
    await servers.exec(
      `ALTER TABLE ${table("undo")} REPLACE PARTITION ${p} FROM ${table("all")}`,
      server,
    );
    await servers.insert(`${db}.commit_journal`, [{ run_id: run, kind, server, partition }]);
    await servers.exec(
      `ALTER TABLE ${table("all")} REPLACE PARTITION ${p} FROM ${table("next")}`,
      server,
    );
  }
  await swapNext(servers);
  await servers.exec(`INSERT INTO ${db}.rejected_records SELECT * FROM ${db}.rejected_stage`);
  await servers.insert(`${db}.vote_conflicts`, changes.conflicts);
  await servers.insert(`${db}.load_unknown_keys`, changes.unknownKeys);
  await servers.insert(`${db}.loads`, [...changes.loads.values()]);
  await servers.exec(`TRUNCATE TABLE ${db}.commit_journal`);
}

/**
 * Settles a commit that was interrupted (the process killed, a server lost): when the run's loads
 * are not in, every partition it swapped is put back from its undo copy, its audit rows are
 * removed and the rollups recomputed, so the warehouse is as before the run. Call under the run
 * lock before a run begins.
 */
export async function recoverInterruptedCommit(servers: ClickHouseServers): Promise<void> {
  const db = servers.target.database;
  const journal = await servers.rows(
    `SELECT run_id, kind, server, partition FROM ${db}.commit_journal`,
  );
  const run = journal[0]?.[0];
  if (run === undefined) return;
  const committed = await servers.count(
    `SELECT count() FROM ${db}.loads WHERE run_id = ${sqlInteger(Number(run))}`,
  );
  if (committed === 0) {
    for (const [, kind, server, partition] of journal) {
      const table = (suffix: string): string => `${db}.${localName(`${String(kind)}_${suffix}`)}`;
      await servers.exec(
        `ALTER TABLE ${table("all")} REPLACE PARTITION ${sqlInteger(Number(partition))} FROM ${table("undo")}`,
        Number(server),
      );
    }
    const lastLoad = await servers.count(`SELECT max(load_id) FROM ${db}.loads`);
    for (const table of AUDIT_TABLES) {
      await servers.exec(
        `ALTER TABLE ${db}.${table} DELETE WHERE load_id > ${sqlInteger(lastLoad)}`,
      );
    }
    await refreshRollupTables(servers, "all", new Date());
  }
  await servers.exec(`TRUNCATE TABLE ${db}.commit_journal`);
}

const WEEK_OF = WEEK_OF_SQL.clickhouse("creation_date");

/**
 * Recomputes the weekly totals of the weeks given (or of all) from the live records, and the
 * calendar tables from the totals, each swapped in whole.
 */
export async function refreshRollupTables(
  servers: ClickHouseServers,
  weeks: Readonly<Record<DeliveryKind, Set<string>>> | "all",
  now: Date,
): Promise<void> {
  const db = servers.target.database;
  const views = (kind: DeliveryKind, where: string, columns: string): string =>
    `(SELECT ${columns} FROM ${db}.${kind} WHERE 1 ${where})`;
  await fillNext(servers, await computeRollups(servers, weeks, now, views));
  await swapNext(servers);
}

/**
 * The live records of a kind as a run leaves them (stored ones it did not stage, and the latest
 * staged version of the others), as a subquery of the given columns; `extra` adds a condition.
 *
 * @example
 * `SELECT count() FROM ${currentRecords("stackhouse", "votes")}`;
 */
export function currentRecords(
  db: string,
  kind: DeliveryKind,
  extra = "",
  columns = RECORD_COLUMNS[kind].join(", "),
): string {
  const stageLocal = `${db}.${localName(`${kind}_stage`)}`;
  return `(SELECT ${columns} FROM ${db}.${kind}_all
             WHERE id NOT IN (SELECT id FROM ${stageLocal}) AND deleted_by_load_id IS NULL${extra}
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

/** Writes each rollup table's rows into its `_next` twin, where no reader sees them. */
async function fillNext(servers: ClickHouseServers, rollups: Rollups): Promise<void> {
  const db = servers.target.database;
  for (const [table, rows] of Object.entries(rollups)) {
    await servers.exec(`TRUNCATE TABLE ${db}.${table}_next`);
    await servers.insert(`${db}.${table}_next`, rows);
  }
}

/** Swaps every rollup table's `_next` twin in, each in one step. */
async function swapNext(servers: ClickHouseServers): Promise<void> {
  const db = servers.target.database;
  for (const table of Object.keys(ROLLUP_TABLES)) {
    await servers.exec(
      `ALTER TABLE ${db}.${table} REPLACE PARTITION tuple() FROM ${db}.${table}_next`,
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

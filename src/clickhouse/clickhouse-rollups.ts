import { calendarTables, type PostWeek, type VoteWeek } from "../analysis/weekly-calendar.js";
import type { DeliveryKind } from "../model/kinds.js";
import { WEEK_OF_SQL } from "../model/week.js";
import type { ClickHouseServers } from "./clickhouse-connection.js";
import { rollupColumns, type RollupTable } from "./clickhouse-schema.js";
import { sqlString } from "./sql-literal.js";

const WEEK_OF = WEEK_OF_SQL.clickhouse("creation_date");

/** The rows of each rollup table. */
export type Rollups = Readonly<Record<RollupTable, readonly object[]>>;

/**
 * The weekly totals of the touched weeks computed from `source`, the other weeks as the last
 * commit left them, and the calendar tables from the totals.
 */
export async function computeRollups(
  servers: ClickHouseServers,
  weeks: Readonly<Record<DeliveryKind, ReadonlySet<string>>>,
  now: Date,
  /** The live records of a kind, with the columns given, meeting a condition (`AND ...`). */
  source: (kind: DeliveryKind, where: string, columns: string) => string,
): Promise<Rollups> {
  const stored = await readTotals(servers);
  const votes = await recompute<VoteWeek>(
    servers,
    stored.votes,
    [...weeks.votes],
    (where, group) =>
      `SELECT ${WEEK_OF} AS week_start, count(), uniqExact(post_id), countIf(vote_type_id = 2),
            countIf(vote_type_id = 3), min(creation_date), max(creation_date),
            uniqExactIf(post_id, vote_type_id IN (2, 3))
     FROM ${source("votes", where, "post_id, vote_type_id, creation_date")} ${group}`,
    rollupColumns("weekly_vote_totals"),
  );
  const posts = await recompute<PostWeek>(
    servers,
    stored.posts,
    [...weeks.posts],
    (where, group) =>
      `SELECT ${WEEK_OF} AS week_start, count(), min(creation_date), max(last_activity_date)
     FROM ${source("posts", where, "creation_date, last_activity_date")} ${group}`,
    rollupColumns("weekly_post_totals"),
  );
  const calendar = calendarTables(votes, posts, now);
  return { weekly_vote_totals: votes, weekly_post_totals: posts, ...calendar };
}

/** The totals of the touched weeks computed again, the others as stored, oldest week first. */
async function recompute<T extends { readonly week_start: string }>(
  servers: ClickHouseServers,
  stored: readonly T[],
  touched: readonly string[],
  select: (where: string, group: string) => string,
  names: readonly string[],
): Promise<T[]> {
  if (touched.length === 0) return [...stored];
  const where = ` AND creation_date >= ${sqlString(touched.reduce((a, b) => (b < a ? b : a)))}`;
  const group = `GROUP BY week_start HAVING week_start IN (${touched.map(sqlString).join(", ")})`;
  const fresh = (await servers.rows(select(where, group))).map(
    (row) => Object.fromEntries(names.map((name, index) => [name, row[index]])) as T,
  );
  const replaced = new Set(touched);
  return [...stored.filter((week) => !replaced.has(week.week_start)), ...fresh].sort((a, b) =>
    a.week_start < b.week_start ? -1 : 1,
  );
}

/** Writes each rollup table's rows as the generation of a run, which readers see once it is committed. */
export async function writeGeneration(
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
  const read = async <T>(table: RollupTable): Promise<T[]> => {
    const names = rollupColumns(table);
    const rows = await servers.rows(
      `SELECT ${names.join(", ")} FROM ${db}.${table} ORDER BY week_start`,
    );
    return rows.map(
      (row) => Object.fromEntries(names.map((name, index) => [name, row[index]])) as T,
    );
  };
  return {
    votes: await read<VoteWeek>("weekly_vote_totals"),
    posts: await read<PostWeek>("weekly_post_totals"),
  };
}

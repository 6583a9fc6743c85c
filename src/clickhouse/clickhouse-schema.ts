import type { Field } from "../model/field.js";
import { KINDS, type DeliveryKind } from "../model/kinds.js";
import type { ClickHouseTarget } from "./target-url.js";

/** Table names on ClickHouse: the Distributed tables when there is a cluster, else the tables. */
export const CH_TABLES = {
  posts: "posts",
  votes: "votes",
  loads: "loads",
  rejected: "rejected_records",
  checkResults: "check_results",
} as const;

function columnType(field: Field): string {
  const base = field.type === "text" || field.type === "timestamp" ? "String" : "Int64";
  return field.required ? base : `Nullable(${base})`;
}

function columns(kind: DeliveryKind): string {
  const delivered = KINDS[kind].fields.map((field) => `${field.column} ${columnType(field)}`);
  const extra =
    kind === "posts"
      ? ["version Int64", "tags_array Array(String)", "load_id Int64"]
      : ["load_id Int64"];
  return [...delivered, ...extra].join(", ");
}

const LOADS_COLUMNS =
  "load_id Int64, kind String, source_path String, size_bytes Int64, sha256 String, arrived_at String, records_read Int64, rejected Int64";
const CHECK_RESULTS_COLUMNS =
  "check_run_id Int64, checked_at String, name String, severity String, failing Int64, sample_ids Array(Int64)";
const REJECTED_COLUMNS =
  "load_id Int64, record_number Int64, line Int64, reason String, raw String";

/**
 * Posts and votes are partitioned by month of creation, so a day's delivery touches few
 * partitions and old months can be moved or dropped whole. Replacing merges work within a
 * partition; readers take the latest version with `argMax` over all partitions, so a row whose
 * creation date changes between versions is still counted once.
 */
const MONTH_OF_CREATION = "toYYYYMM(toDate(substring(creation_date, 1, 10)))";

interface TableSpec {
  readonly name: string;
  readonly columns: string;
  readonly engine: string;
  readonly shardKey: string;
}

const TABLES: readonly TableSpec[] = [
  {
    name: CH_TABLES.posts,
    columns: columns("posts"),
    engine: `ReplacingMergeTree(version) PARTITION BY ${MONTH_OF_CREATION} ORDER BY id`,
    shardKey: "intHash64(id)",
  },
  {
    name: CH_TABLES.votes,
    columns: columns("votes"),
    engine: `ReplacingMergeTree() PARTITION BY ${MONTH_OF_CREATION} ORDER BY id`,
    shardKey: "intHash64(id)",
  },
  {
    name: CH_TABLES.loads,
    columns: LOADS_COLUMNS,
    engine: "MergeTree() ORDER BY load_id",
    shardKey: "load_id",
  },
  {
    name: CH_TABLES.rejected,
    columns: REJECTED_COLUMNS,
    engine: "MergeTree() ORDER BY (load_id, record_number)",
    shardKey: "load_id",
  },
  {
    name: CH_TABLES.checkResults,
    columns: CHECK_RESULTS_COLUMNS,
    engine: "MergeTree() ORDER BY (check_run_id, name)",
    shardKey: "check_run_id",
  },
];

/**
 * Which stored version of an id wins, as SQLite's merge decides: a post's newest version (at equal
 * versions the later load), a vote's latest load.
 */
const WINNING_VERSION: Readonly<Record<DeliveryKind, string>> = {
  posts: "(version, load_id)",
  votes: "load_id",
};

/**
 * A subquery giving each id of a kind once, in its winning version, with the given columns. Reads
 * group by id with `argMax` rather than using `FINAL`, which deduplicates only within a partition.
 *
 * @example
 * latestRows("stackhouse", "votes", ["post_id", "creation_date"]);
 */
export function latestRows(
  database: string,
  kind: DeliveryKind,
  columns: readonly string[],
): string {
  const picked = columns.map(
    (column) => `argMax(${column}, ${WINNING_VERSION[kind]}) AS ${column}`,
  );
  return `(SELECT id, ${picked.join(", ")} FROM ${database}.${CH_TABLES[kind]} GROUP BY id)`;
}

/**
 * The weekly answer on ClickHouse, the same definition as SQLite's `weekly_votes`: one row per ISO
 * week with votes. Each vote counts once, in its latest delivered version.
 */
function weeklyVotesView(database: string): string {
  return `CREATE VIEW IF NOT EXISTS ${database}.weekly_votes AS
    SELECT toString(toMonday(toDate(substring(creation_date, 1, 10)))) AS week_start,
           count() AS votes, uniqExact(post_id) AS posts_voted, votes / posts_voted AS mean_votes_per_post
    FROM ${latestRows(database, "votes", ["post_id", "creation_date"])}
    GROUP BY week_start ORDER BY week_start`;
}

/**
 * The DDL to run on each server: with a cluster, `*_local` tables on every shard and Distributed
 * tables (sharded by id) over them; without, plain tables. ReplacingMergeTree keeps the newest
 * version of a post (`version` is its last activity in epoch milliseconds) whatever the order of
 * arrival, and makes a re-delivered vote replace itself.
 */
export function schemaStatements(target: ClickHouseTarget): string[] {
  const { database, cluster } = target;
  const statements = [`CREATE DATABASE IF NOT EXISTS ${database}`];
  for (const table of TABLES) {
    const local = cluster === undefined ? table.name : `${table.name}_local`;
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${database}.${local} (${table.columns}) ENGINE = ${table.engine}`,
    );
    if (cluster !== undefined) {
      statements.push(
        `CREATE TABLE IF NOT EXISTS ${database}.${table.name} AS ${database}.${local} ENGINE = Distributed(${cluster}, ${database}, ${local}, ${table.shardKey})`,
      );
    }
  }
  statements.push(weeklyVotesView(database));
  return statements;
}

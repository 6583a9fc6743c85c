import type { Field } from "../model/field.js";
import {
  DELIVERY_KINDS,
  KINDS,
  POST_TYPES,
  VOTE_TYPES,
  type DeliveryKind,
} from "../model/kinds.js";
import { LOAD_IDS_PER_RUN } from "../model/load-id.js";
import { WEEK_OF_SQL } from "../model/week.js";
import type { ClickHouseTarget } from "./target-url.js";

/**
 * Records are partitioned by id range, so every version of a record lands in one partition and a
 * run rewrites only the partitions it touched (ids mostly grow: a day's delivery touches few).
 */
export const PARTITION_IDS = 1_048_576;
export const PARTITION_OF = `intDiv(id, ${String(PARTITION_IDS)})`;

const delivered = (kind: DeliveryKind): string[] => KINDS[kind].fields.map((field) => field.column);

/** The columns of a kind's stored records, in the order every table of the kind has them. */
export const RECORD_COLUMNS: Readonly<Record<DeliveryKind, readonly string[]>> = {
  posts: [...delivered("posts"), "load_id", "deleted_by_load_id", "deleted_at", "tags_array"],
  votes: [...delivered("votes"), "load_id", "deleted_by_load_id", "deleted_at"],
};

function columnType(field: Field): string {
  const base = field.type === "text" || field.type === "timestamp" ? "String" : "Int64";
  return field.required ? base : `Nullable(${base})`;
}

function recordColumns(kind: DeliveryKind, extra: readonly string[] = []): string {
  const fields = KINDS[kind].fields.map((field) => `${field.column} ${columnType(field)}`);
  const lineage = [
    "load_id Int64",
    "deleted_by_load_id Nullable(Int64)",
    "deleted_at Nullable(String)",
  ];
  const tags = kind === "posts" ? ["tags_array Array(String)"] : [];
  return [...fields, ...lineage, ...tags, ...extra].join(", ");
}

/** A table on every server: sharded ones by id, with a Distributed table over them on a cluster. */
interface TableSpec {
  readonly name: string;
  readonly columns: string;
  readonly engine: string;
  /** Sharded tables spread their rows over the cluster's servers by this key. */
  readonly shardKey?: string;
}

const RECORDS = (kind: DeliveryKind, suffix: string, extra: readonly string[] = []): TableSpec => ({
  name: `${kind}_${suffix}`,
  columns: recordColumns(kind, extra),
  engine: `MergeTree() PARTITION BY ${PARTITION_OF} ORDER BY id`,
  shardKey: "intHash64(id)",
});

const SMALL = (name: string, columns: string, order: string): TableSpec => ({
  name,
  columns,
  engine: `MergeTree() PARTITION BY tuple() ORDER BY ${order}`,
});

const VOTE_WEEK =
  "week_start String, votes Int64, posts_voted Int64, upvotes Int64, downvotes Int64, first_vote String, last_vote String, updown_posts_voted Int64";
const POST_WEEK = "week_start String, created Int64, first_created String, last_activity String";
const CALENDAR_WEEK =
  "week_start String, votes Int64, posts_voted Int64, mean_votes_per_post Nullable(Float64), iso_year Int64, iso_week Int64, upvotes Int64, downvotes Int64, posts_live Int64, mean_votes_per_live_post Nullable(Float64), is_partial UInt8, updown_posts_voted Int64";
const WEEK = "week_start String, week_end String, iso_year Int64, iso_week Int64, is_partial UInt8";

/**
 * Tables each commit writes whole, as a new generation in `<name>_by_run` (partitioned by the
 * run), and which readers see through a view of the committed run's generation.
 */
export const ROLLUP_TABLES = {
  weekly_vote_totals: VOTE_WEEK,
  weekly_post_totals: POST_WEEK,
  weekly_votes_all_weeks: CALENDAR_WEEK,
  weeks: WEEK,
} as const;
export type RollupTable = keyof typeof ROLLUP_TABLES;

/** Audit rows of a run's loads, kept in `<name>_all` and shown once the loads are committed. */
const AUDIT_TABLES = {
  rejected_records: "load_id Int64, record_number Int64, line Int64, reason String, raw String",
  load_unknown_keys: "load_id Int64, key String, records Int64",
  vote_conflicts:
    "vote_id Int64, load_id Int64, post_id Int64, vote_type_id Int64, user_id Nullable(Int64), bounty_amount Nullable(Int64), creation_date String",
} as const;
export const AUDIT_NAMES = Object.keys(AUDIT_TABLES);

/**
 * A version of a record that a run replaced (`is_new_version` 0) or wrote (1) carries that run in
 * `changed_by_run`: readers see the replaced version until the run is committed (its loads are in
 * `loads`) and the new one from then on, so a run becomes visible all at once.
 */
const VERSION = ["changed_by_run Nullable(Int64)", "is_new_version UInt8"];

/** The last committed run, as a scalar subquery, which ClickHouse evaluates once per query. */
export const committedRun = (database: string): string =>
  `(SELECT max(run_id) FROM ${database}.loads)`;

/** Whether a stored version is the one readers see once the run `run` (SQL) is committed. */
export const visibleAt = (run: string): string =>
  `(changed_by_run IS NULL OR is_new_version = (${run} >= changed_by_run))`;

const LOADS =
  "load_id Int64, run_id Int64, kind String, source_path String, size_bytes Int64, sha256 String, arrived_at String, loaded_at String, source String, outcome String, records_read Int64, inserted Int64, updated Int64, unchanged Int64, rejected Int64, delivery String, deleted Int64, restored Int64, conflicts Int64, rules_version Nullable(Int64), expected_records Nullable(Int64), known_ids Nullable(Int64), min_id Nullable(Int64), max_id Nullable(Int64), first_date Nullable(String), last_date Nullable(String)";

/** Every table, in the order they are created. */
const TABLES: readonly TableSpec[] = [
  ...DELIVERY_KINDS.flatMap((kind) => [
    RECORDS(kind, "all", VERSION),
    RECORDS(kind, "stage", ["seq UInt64"]),
    RECORDS(kind, "next", VERSION),
  ]),
  { ...RECORDS("votes", "snapshot_ids"), name: "snapshot_ids", columns: "id Int64" },
  SMALL("loads", LOADS, "load_id"),
  SMALL("rejected_stage", AUDIT_TABLES.rejected_records, "(load_id, record_number)"),
  ...Object.entries(AUDIT_TABLES).map(([name, columns]) => ({
    name: `${name}_all`,
    columns,
    engine: `MergeTree() PARTITION BY intDiv(load_id, ${String(LOAD_IDS_PER_RUN)}) ORDER BY load_id`,
  })),
  SMALL(
    "check_runs",
    "check_run_id Int64, checked_at String, run_id Nullable(Int64)",
    "check_run_id",
  ),
  SMALL(
    "check_results",
    "check_run_id Int64, name String, severity String, failing Int64, sample_ids String",
    "(check_run_id, name)",
  ),
  SMALL("warehouse_history", "history_id String", "history_id"),
  SMALL(
    "commit_journal",
    "run_id Int64, kind String, server Int64, partition Int64",
    "(run_id, kind, server, partition)",
  ),
  SMALL("vote_types", "id Int64, name String", "id"),
  SMALL("post_types", "id Int64, name String", "id"),
  ...Object.entries(ROLLUP_TABLES).map(([name, columns]) => ({
    name: `${name}_by_run`,
    columns: `${columns}, run_id Int64`,
    engine: "MergeTree() PARTITION BY run_id ORDER BY week_start",
  })),
];

/** Where a table's rows are on one server: sharded tables keep theirs in `<name>_local`. */
export function localName(table: string): string {
  return TABLES.find((spec) => spec.name === table)?.shardKey === undefined
    ? table
    : `${table}_local`;
}

const TAG_LIST = "if(empty(tags_array), NULL, arrayStringConcat(arraySort(tags_array), ' '))";

const columnNames = (columns: string): string => rollupColumnsOf(columns).join(", ");

function rollupColumnsOf(columns: string): string[] {
  return columns.split(", ").map((column) => column.split(" ")[0] ?? column);
}

/**
 * A rollup table's column names, in order.
 *
 * @example
 * rollupColumns("weekly_post_totals"); // ["week_start", "created", "first_created", "last_activity"]
 */
export function rollupColumns(table: RollupTable): string[] {
  return rollupColumnsOf(ROLLUP_TABLES[table]);
}

/**
 * The views analysts query, with the columns and numbers of SQLite's: `posts` and `votes` hold
 * one row per id (the version the last committed run left; deleted records left out), the weekly
 * tables the committed run's generation, the audit tables the committed loads' rows. ClickHouse
 * 18.16 has no CTEs or window functions: these are plain SQL.
 */
function views(database: string): [string, string][] {
  const committed = committedRun(database);
  const current = (kind: DeliveryKind): string =>
    `${database}.${kind}_all WHERE deleted_by_load_id IS NULL AND ${visibleAt(committed)}`;
  const answers = `SELECT a.id, 'Answer' AS post_type, a.parent_id AS question_id, question_title,
      question_tag_list, toUInt8(ifNull(question_accepted = a.id, 0)) AS is_accepted, a.score,
      a.comment_count, a.creation_date, a.last_activity_date, a.owner_user_id,
      a.owner_display_name, a.body
    FROM ${database}.posts AS a GLOBAL ANY LEFT JOIN (
      SELECT toNullable(id) AS parent_id, title AS question_title, ${TAG_LIST} AS question_tag_list,
             accepted_answer_id AS question_accepted
      FROM ${current("posts")}) USING (parent_id)
    WHERE a.post_type_id = 2`;
  return [
    ...DELIVERY_KINDS.map((kind): [string, string] => [
      kind,
      `SELECT ${[...delivered(kind), "load_id"].join(", ")} FROM ${current(kind)}`,
    ]),
    ["post_tags", `SELECT id AS post_id, arrayJoin(tags_array) AS tag FROM ${current("posts")}`],
    ...Object.entries(ROLLUP_TABLES).map(([name, columns]): [string, string] => [
      name,
      `SELECT ${columnNames(columns)} FROM ${database}.${name}_by_run WHERE run_id = ${committed}`,
    ]),
    ...AUDIT_NAMES.map((name): [string, string] => [
      name,
      `SELECT * FROM ${database}.${name}_all WHERE load_id IN (SELECT load_id FROM ${database}.loads)`,
    ]),
    ["weekly_votes", `SELECT * FROM ${database}.weekly_votes_all_weeks WHERE votes > 0`],
    [
      "post_weekly_votes",
      `SELECT post_id, ${WEEK_OF_SQL.clickhouse("creation_date")} AS week_start, count() AS votes FROM ${database}.votes GROUP BY post_id, week_start`,
    ],
    [
      "questions",
      `SELECT id, 'Question' AS post_type, title, ${TAG_LIST} AS tag_list, score, view_count,
         answer_count, comment_count, favorite_count, accepted_answer_id, creation_date,
         last_activity_date, closed_date, owner_user_id, owner_display_name, body
       FROM ${current("posts")} AND post_type_id = 1`,
    ],
    ["answers", answers],
    [
      "latest_check_results",
      `SELECT name, severity, failing, sample_ids, checked_at FROM ${database}.check_results
       ANY INNER JOIN ${database}.check_runs USING (check_run_id)
       WHERE check_run_id = (SELECT max(check_run_id) FROM ${database}.check_runs)`,
    ],
  ];
}

/**
 * The DDL to run on one server, each statement idempotent. Records are sharded by id: with a
 * cluster, `<name>_local` on every server and a Distributed table over them, so every version of
 * a record is on one server. The small tables (loads, quarantine, rollups, checks) and the views
 * are on the first server, which answers the warehouse's queries.
 */
export function schemaStatements(target: ClickHouseTarget, server: number): string[] {
  const { database, cluster } = target;
  const statements = [`CREATE DATABASE IF NOT EXISTS ${database}`];
  for (const table of TABLES) {
    if (server > 0 && table.shardKey === undefined) continue;
    const local = localName(table.name);
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${database}.${local} (${table.columns}) ENGINE = ${table.engine}`,
    );
    if (table.shardKey === undefined) continue;
    statements.push(
      cluster === undefined
        ? `CREATE VIEW IF NOT EXISTS ${database}.${table.name} AS SELECT * FROM ${database}.${local}`
        : `CREATE TABLE IF NOT EXISTS ${database}.${table.name} AS ${database}.${local} ENGINE = Distributed(${cluster}, ${database}, ${local}, ${table.shardKey})`,
    );
  }
  if (server > 0) return statements;
  for (const [name, select] of views(database)) {
    statements.push(`CREATE VIEW IF NOT EXISTS ${database}.${name} AS ${select}`);
  }
  return statements;
}

/** The tables that hold data on a server (its local tables), which a re-creation moves into place. */
export function physicalTables(server: number): string[] {
  return TABLES.filter((table) => server === 0 || table.shardKey !== undefined).map((table) =>
    localName(table.name),
  );
}

/** The type names, inserted once into a new warehouse. */
export const TYPE_NAMES = {
  vote_types: VOTE_TYPES.map(([id, name]) => ({ id, name })),
  post_types: POST_TYPES.map(([id, name]) => ({ id, name })),
} as const;

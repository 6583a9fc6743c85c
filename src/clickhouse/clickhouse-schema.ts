import type { Field } from "../model/field.js";
import { KINDS, POST_TYPES, VOTE_TYPES, type DeliveryKind } from "../model/kinds.js";
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
  "week_start String, votes Int64, posts_voted Int64, upvotes Int64, downvotes Int64, first_vote String, last_vote String";
const POST_WEEK = "week_start String, created Int64, first_created String, last_activity String";
const CALENDAR_WEEK =
  "week_start String, votes Int64, posts_voted Int64, mean_votes_per_post Nullable(Float64), iso_year Int64, iso_week Int64, upvotes Int64, downvotes Int64, posts_live Int64, mean_votes_per_live_post Nullable(Float64), is_partial UInt8";
const WEEK = "week_start String, week_end String, iso_year Int64, iso_week Int64, is_partial UInt8";

/** Tables a run swaps in whole, each built first in its `_next` twin. */
export const ROLLUP_TABLES = {
  weekly_vote_totals: VOTE_WEEK,
  weekly_post_totals: POST_WEEK,
  weekly_votes_all_weeks: CALENDAR_WEEK,
  weeks: WEEK,
} as const;
export type RollupTable = keyof typeof ROLLUP_TABLES;

const LOADS =
  "load_id Int64, run_id Int64, kind String, source_path String, size_bytes Int64, sha256 String, arrived_at String, loaded_at String, source String, outcome String, records_read Int64, inserted Int64, updated Int64, unchanged Int64, rejected Int64, delivery String, deleted Int64, restored Int64, conflicts Int64, rules_version Nullable(Int64), expected_records Nullable(Int64), known_ids Nullable(Int64), min_id Nullable(Int64), max_id Nullable(Int64), first_date Nullable(String), last_date Nullable(String)";

/** Every table, in the order they are created. */
const TABLES: readonly TableSpec[] = [
  ...(["posts", "votes"] as const).flatMap((kind) => [
    RECORDS(kind, "all"),
    RECORDS(kind, "stage", ["seq UInt64"]),
    RECORDS(kind, "next"),
    RECORDS(kind, "undo"),
  ]),
  { ...RECORDS("votes", "snapshot_ids"), name: "snapshot_ids", columns: "id Int64" },
  SMALL("loads", LOADS, "load_id"),
  ...["rejected_records", "rejected_stage"].map((name) =>
    SMALL(
      name,
      "load_id Int64, record_number Int64, line Int64, reason String, raw String",
      "(load_id, record_number)",
    ),
  ),
  SMALL("load_unknown_keys", "load_id Int64, key String, records Int64", "(load_id, key)"),
  SMALL(
    "vote_conflicts",
    "vote_id Int64, load_id Int64, post_id Int64, vote_type_id Int64, user_id Nullable(Int64), bounty_amount Nullable(Int64), creation_date String",
    "(vote_id, load_id)",
  ),
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
  ...Object.entries(ROLLUP_TABLES).flatMap(([name, columns]) => [
    SMALL(name, columns, "week_start"),
    SMALL(`${name}_next`, columns, "week_start"),
  ]),
];

/** Where a table's rows are on one server: sharded tables keep theirs in `<name>_local`. */
export function localName(table: string): string {
  return TABLES.find((spec) => spec.name === table)?.shardKey === undefined
    ? table
    : `${table}_local`;
}

const live = (database: string, kind: DeliveryKind): string =>
  `SELECT ${[...delivered(kind), "load_id"].join(", ")} FROM ${database}.${kind}_all WHERE deleted_by_load_id IS NULL`;

const TAG_LIST = "if(empty(tags_array), NULL, arrayStringConcat(arraySort(tags_array), ' '))";

/**
 * The views analysts query, with the columns and numbers of SQLite's: `posts` and `votes` hold
 * one row per id (the winning version; deleted records left out), and the weekly answer reads the
 * tables each run writes. ClickHouse 18.16 has no CTEs or window functions: these are plain SQL.
 */
function views(database: string): [string, string][] {
  const answers = `SELECT a.id, 'Answer' AS post_type, a.parent_id AS question_id, question_title,
      question_tag_list, toUInt8(ifNull(question_accepted = a.id, 0)) AS is_accepted, a.score,
      a.comment_count, a.creation_date, a.last_activity_date, a.owner_user_id,
      a.owner_display_name, a.body
    FROM ${database}.posts_all AS a GLOBAL ANY LEFT JOIN (
      SELECT toNullable(id) AS parent_id, title AS question_title, ${TAG_LIST} AS question_tag_list,
             accepted_answer_id AS question_accepted
      FROM ${database}.posts_all WHERE deleted_by_load_id IS NULL) USING (parent_id)
    WHERE a.post_type_id = 2 AND a.deleted_by_load_id IS NULL`;
  return [
    ["posts", live(database, "posts")],
    ["votes", live(database, "votes")],
    [
      "post_tags",
      `SELECT id AS post_id, arrayJoin(tags_array) AS tag FROM ${database}.posts_all WHERE deleted_by_load_id IS NULL`,
    ],
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
       FROM ${database}.posts_all WHERE post_type_id = 1 AND deleted_by_load_id IS NULL`,
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
 * over them are on the first server, which answers the warehouse's queries.
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
  for (const [name, select] of views(database)) {
    if (server > 0 && !SHARDED_VIEWS.has(name)) continue;
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

/** Views that read only sharded tables, created on every server. */
const SHARDED_VIEWS = new Set([
  "posts",
  "votes",
  "post_tags",
  "questions",
  "answers",
  "post_weekly_votes",
]);

/** The type names, inserted once into a new warehouse. */
export const TYPE_NAMES = {
  vote_types: VOTE_TYPES.map(([id, name]) => ({ id, name })),
  post_types: POST_TYPES.map(([id, name]) => ({ id, name })),
} as const;

import { KINDS, POST_TYPES, VOTE_TYPES } from "../model/kinds.js";
import { EARLIEST_TIMESTAMP } from "../validate/parse-value.js";
import { LEDGER_CHECKS } from "./ledger-checks.js";

/** `error`: the warehouse breaks a rule its numbers rely on. `warning`: a known gap, kept and counted. */
export type Severity = "error" | "warning";

/**
 * One data-quality check: a query listing the ids of the rows that fail it, run by every engine,
 * or a rule over the delivery ledger (see `ledger-checks.ts`).
 */
export interface Check {
  readonly name: string;
  readonly severity: Severity;
  readonly description: string;
  /** Selects one column, `id`, of every offending row; may use the parameter `@now`. */
  readonly sql: string;
  /**
   * For a check of one row at a time: the table and the condition a row fails (the row is
   * `checked`), so an engine can test every check of a table in one scan. `sql` says the same.
   */
  readonly row?: { readonly table: "posts" | "votes"; readonly fails: string };
  /** The same rule in ClickHouse's dialect, where its SQL differs (no correlated subqueries). */
  readonly clickhouse?: string;
  /** A rule over the ledger's few rows, written once in TypeScript (`sql` is empty). */
  readonly ledger?: true;
  /**
   * What the check finds is what a constraint of the table forbids, where an engine has it: ids
   * that are not the table's key, or a required column left empty. An engine that declares the
   * constraint may answer the check from its schema instead of reading every row.
   */
  readonly forbiddenBy?: { readonly table: "posts" | "votes"; readonly constraint: Constraint };
}

/** A table constraint that makes a check's rows impossible (see {@link Check.forbiddenBy}). */
export type Constraint = "unique id" | "required fields";

const POST_TIMESTAMPS = KINDS.posts.fields
  .filter((f) => f.type === "timestamp")
  .map((f) => f.column);
const VOTE_TIMESTAMPS = KINDS.votes.fields
  .filter((f) => f.type === "timestamp")
  .map((f) => f.column);

function anyNull(kind: "posts" | "votes"): string {
  const required = KINDS[kind].fields
    .filter((field) => field.required)
    .map((field) => field.column);
  return required.map((column) => `${column} IS NULL`).join(" OR ");
}

function anyTimestamp(columns: readonly string[], condition: string): string {
  return columns.map((column) => `${column} ${condition}`).join(" OR ");
}

/**
 * A column's value is none of `ids`, as ranges (`NOT (c BETWEEN 1 AND 12 OR c BETWEEN 15 AND
 * 16)`): engines test a range faster than a list. Every value is none of no ids.
 */
export function noneOf(column: string, ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let start = 0; start < sorted.length;) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === (sorted[end] as number) + 1) end++;
    ranges.push(`${column} BETWEEN ${String(sorted[start])} AND ${String(sorted[end])}`);
    start = end + 1;
  }
  return ranges.length === 0 ? "1 = 1" : `NOT (${ranges.join(" OR ")})`;
}

/** A check of one row of `table` at a time: the rows for which `fails` holds (the row is `checked`). */
function rowCheck(table: "posts" | "votes", fails: string): Pick<Check, "sql" | "row"> {
  return { sql: `SELECT id FROM ${table} AS checked WHERE ${fails}`, row: { table, fails } };
}

/** Every check `stackhouse check` runs, in the order it prints them. */
export const CHECKS: readonly Check[] = [
  {
    name: "posts_unique_ids",
    severity: "error",
    description: "post ids that occur more than once",
    sql: "SELECT id FROM posts GROUP BY id HAVING count(*) > 1",
    forbiddenBy: { table: "posts", constraint: "unique id" },
  },
  {
    name: "votes_unique_ids",
    severity: "error",
    description: "vote ids that occur more than once",
    sql: "SELECT id FROM votes GROUP BY id HAVING count(*) > 1",
    forbiddenBy: { table: "votes", constraint: "unique id" },
  },
  {
    name: "posts_required_fields",
    severity: "error",
    description: "posts missing a required field",
    ...rowCheck("posts", anyNull("posts")),
    forbiddenBy: { table: "posts", constraint: "required fields" },
  },
  {
    name: "votes_required_fields",
    severity: "error",
    description: "votes missing a required field",
    ...rowCheck("votes", anyNull("votes")),
    forbiddenBy: { table: "votes", constraint: "required fields" },
  },
  {
    name: "votes_orphaned",
    severity: "warning",
    description: "votes whose post is not in posts (kept; resolved when the post arrives)",
    ...rowCheck("votes", "NOT EXISTS (SELECT 1 FROM posts AS p WHERE p.id = checked.post_id)"),
    clickhouse: `SELECT id FROM votes WHERE post_id GLOBAL NOT IN (SELECT id FROM posts)`,
  },
  {
    name: "answers_without_question",
    severity: "warning",
    description: "answers whose parent question is not in posts",
    ...rowCheck(
      "posts",
      `checked.post_type_id = 2 AND NOT EXISTS
        (SELECT 1 FROM posts AS q WHERE q.id = checked.parent_id AND q.post_type_id = 1)`,
    ),
    clickhouse: `SELECT id FROM posts WHERE post_type_id = 2 AND ifNull(parent_id, 0) GLOBAL NOT IN (SELECT id FROM posts WHERE post_type_id = 1)`,
  },
  {
    name: "accepted_answer_not_an_answer",
    severity: "error",
    description: "questions whose accepted answer is not an answer to that question",
    ...rowCheck(
      "posts",
      `EXISTS (SELECT 1 FROM posts AS a WHERE a.id = checked.accepted_answer_id
        AND (a.post_type_id <> 2 OR a.parent_id IS NOT checked.id))`,
    ),
    clickhouse: `SELECT id FROM posts WHERE accepted_answer_id IS NOT NULL
         AND assumeNotNull(accepted_answer_id) GLOBAL IN (SELECT id FROM posts)
         AND (assumeNotNull(accepted_answer_id), id) GLOBAL NOT IN
           (SELECT id, ifNull(parent_id, 0) FROM posts WHERE post_type_id = 2)`,
  },
  {
    name: "accepted_answer_missing",
    severity: "warning",
    description: "questions whose accepted answer is not in posts",
    ...rowCheck(
      "posts",
      `checked.accepted_answer_id IS NOT NULL AND NOT EXISTS
        (SELECT 1 FROM posts AS a WHERE a.id = checked.accepted_answer_id)`,
    ),
    clickhouse: `SELECT id FROM posts WHERE accepted_answer_id IS NOT NULL AND assumeNotNull(accepted_answer_id) GLOBAL NOT IN (SELECT id FROM posts)`,
  },
  {
    name: "vote_user_id_type",
    severity: "error",
    description: "votes with a UserId that are not favorites (5) or bounty starts (8)",
    ...rowCheck("votes", "user_id IS NOT NULL AND vote_type_id NOT IN (5, 8)"),
  },
  {
    name: "vote_bounty_type",
    severity: "error",
    description: "votes with a BountyAmount that are not bounty starts (8) or closes (9)",
    ...rowCheck("votes", "bounty_amount IS NOT NULL AND vote_type_id NOT IN (8, 9)"),
  },
  {
    name: "posts_timestamps_in_future",
    severity: "error",
    description: "posts with a timestamp later than the time of the check",
    ...rowCheck("posts", anyTimestamp(POST_TIMESTAMPS, "> @now")),
  },
  {
    name: "votes_timestamps_in_future",
    severity: "error",
    description: "votes dated later than the time of the check",
    ...rowCheck("votes", anyTimestamp(VOTE_TIMESTAMPS, "> @now")),
  },
  {
    name: "posts_timestamps_before_2008",
    severity: "error",
    description: "posts with a timestamp before Stack Exchange existed (2008)",
    ...rowCheck("posts", anyTimestamp(POST_TIMESTAMPS, `< '${EARLIEST_TIMESTAMP}'`)),
  },
  {
    name: "votes_timestamps_before_2008",
    severity: "error",
    description: "votes dated before Stack Exchange existed (2008)",
    ...rowCheck("votes", anyTimestamp(VOTE_TIMESTAMPS, `< '${EARLIEST_TIMESTAMP}'`)),
  },
  {
    name: "answers_before_question",
    severity: "warning",
    description: "answers created before their question (happens when questions are merged)",
    ...rowCheck(
      "posts",
      `checked.post_type_id = 2 AND EXISTS (SELECT 1 FROM posts AS q
        WHERE q.id = checked.parent_id AND checked.creation_date < q.creation_date)`,
    ),
    clickhouse: `SELECT id FROM (SELECT id, ifNull(parent_id, 0) AS question_id, creation_date AS answered FROM posts WHERE post_type_id = 2)
       ANY INNER JOIN (SELECT id AS question_id, creation_date AS asked FROM posts) USING question_id
       WHERE answered < asked`,
  },
  {
    name: "posts_activity_before_creation",
    severity: "error",
    description: "posts whose last activity is before their creation",
    ...rowCheck("posts", "last_activity_date < creation_date"),
  },
  {
    name: "unknown_post_types",
    severity: "warning",
    description: "posts whose PostTypeId is not a known post type",
    ...rowCheck(
      "posts",
      noneOf(
        "post_type_id",
        POST_TYPES.map(([id]) => id),
      ),
    ),
  },
  {
    name: "unknown_vote_types",
    severity: "warning",
    description: "votes whose VoteTypeId is not a known vote type",
    ...rowCheck(
      "votes",
      noneOf(
        "vote_type_id",
        VOTE_TYPES.map(([id]) => id),
      ),
    ),
  },
  {
    name: "votes_resent_with_other_content",
    severity: "warning",
    description:
      "votes delivered again with other content; the earliest is kept, the others are in vote_conflicts",
    sql: "SELECT DISTINCT vote_id AS id FROM vote_conflicts",
  },
  ...LEDGER_CHECKS.map((check) => ({
    ...check,
    severity: "warning" as const,
    sql: "",
    ledger: true as const,
  })),
];

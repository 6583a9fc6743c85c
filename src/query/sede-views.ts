import { StackhouseError } from "../errors.js";
import type { Database } from "better-sqlite3";

/**
 * Views with the Stack Exchange Data Explorer's table and column names, so SEDE queries run
 * unchanged where SQLite's dialect allows. SQLite names are case-insensitive, so `Posts` cannot
 * sit beside `posts`: these are TEMP views, which SQLite resolves before the warehouse's own
 * tables, created only on a connection that asks for them (`stackhouse query --sede`).
 */
const SEDE_VIEWS = `
CREATE TEMP VIEW Posts AS SELECT
  id AS Id, post_type_id AS PostTypeId, accepted_answer_id AS AcceptedAnswerId,
  parent_id AS ParentId, creation_date AS CreationDate, NULL AS DeletionDate, score AS Score,
  view_count AS ViewCount, body AS Body, owner_user_id AS OwnerUserId,
  owner_display_name AS OwnerDisplayName, last_editor_user_id AS LastEditorUserId,
  last_editor_display_name AS LastEditorDisplayName, last_edit_date AS LastEditDate,
  last_activity_date AS LastActivityDate, title AS Title, tags AS Tags,
  answer_count AS AnswerCount, comment_count AS CommentCount, favorite_count AS FavoriteCount,
  closed_date AS ClosedDate, community_owned_date AS CommunityOwnedDate,
  content_license AS ContentLicense
FROM main.posts;

CREATE TEMP VIEW Votes AS SELECT
  id AS Id, post_id AS PostId, vote_type_id AS VoteTypeId, user_id AS UserId,
  creation_date AS CreationDate, bounty_amount AS BountyAmount
FROM main.votes;

CREATE TEMP VIEW VoteTypes AS SELECT id AS Id, name AS Name FROM main.vote_types;

CREATE TEMP VIEW PostTypes AS SELECT id AS Id, name AS Name FROM main.post_types;

CREATE TEMP VIEW Tags AS SELECT
  row_number() OVER (ORDER BY tag) AS Id, tag AS TagName, count(*) AS Count
FROM main.post_tags GROUP BY tag;

CREATE TEMP VIEW PostTags AS SELECT pt.post_id AS PostId, t.Id AS TagId
FROM main.post_tags AS pt JOIN temp.Tags AS t ON t.TagName = pt.tag;
`;

/**
 * Adds the SEDE-compatible views to one connection (temporary: nothing is written to the
 * warehouse file, so it works on a read-only connection).
 *
 * @example
 * addSedeViews(db);
 * db.prepare("SELECT Id, Title FROM Posts WHERE PostTypeId = 1").all();
 */
export function addSedeViews(db: Database): void {
  db.exec(SEDE_VIEWS);
}

/** SQL Server forms SEDE queries use that SQLite lacks, each with what to write instead. */
const SQL_SERVER_FORMS: readonly (readonly [RegExp, string])[] = [
  [
    /\bSELECT\s+(?:DISTINCT\s+)?TOP\s*\(?\s*(\d+)/i,
    "SQL Server's SELECT TOP $1 is LIMIT $1 at the end in SQLite",
  ],
  [
    /##\w+(?::\w+)?(?:\?[^#]*)?##/,
    "SEDE's ##parameters## are not supported: write the value in the query",
  ],
  [/\bGETDATE\s*\(\s*\)/i, "SQL Server's GETDATE() is datetime('now') in SQLite"],
  [/\bDATEADD\s*\(/i, "SQL Server's DATEADD(day, n, d) is date(d, '+n days') in SQLite"],
  [/\bDATEDIFF\s*\(/i, "SQL Server's DATEDIFF(day, a, b) is julianday(b) - julianday(a) in SQLite"],
  [/\bISNULL\s*\(/i, "SQL Server's ISNULL(a, b) is ifnull(a, b) in SQLite"],
  [/\bLEN\s*\(/i, "SQL Server's LEN(s) is length(s) in SQLite"],
];

/**
 * A failed SEDE query's error, with how SQLite says what it wrote in SQL Server's dialect added
 * when there is a hint to give; any other error as it is.
 *
 * @example
 * throw withSqlServerHint(error, "SELECT TOP 5 Id FROM Posts"); // "... (SQL Server's SELECT TOP 5 is LIMIT 5 at the end in SQLite)"
 */
export function withSqlServerHint(error: unknown, sql: string): unknown {
  const hints = SQL_SERVER_FORMS.flatMap(([form, hint]) => {
    const found = form.exec(sql);
    return found === null ? [] : [hint.replace(/\$1/g, found[1] ?? "")];
  });
  if (!(error instanceof StackhouseError) || error.code !== "QUERY_FAILED" || hints.length === 0) {
    return error;
  }
  return new StackhouseError("QUERY_FAILED", `${error.message} (${hints.join("; ")})`, {
    cause: error,
  });
}

import type { Database } from "better-sqlite3";
import { KINDS } from "../model/kinds.js";
import { EARLIEST_TIMESTAMP } from "../validate/parse-value.js";

/**
 * Views that read `posts`, `votes` or `post_tags`, in the order they can be created: they are
 * dropped and created again around the tables' renaming, so they read the live rows only.
 */
const DEPENDENT_VIEWS = [
  "weeks",
  "weekly_votes_all_weeks",
  "weekly_votes",
  "post_weekly_votes",
  "questions",
  "answers",
] as const;

/**
 * The calendar of ISO weeks, as before, but kept inside the plausible window of Stack Exchange
 * data (2008 to now), so rows an older stackhouse loaded with absurd dates cannot make it
 * hundreds of thousands of weeks long.
 */
const WEEKS = `
CREATE VIEW weeks AS
WITH RECURSIVE
  span AS (
    SELECT max(min(first_day), '${EARLIEST_TIMESTAMP}') AS first_day,
           min(max(last_day), strftime('%Y-%m-%dT%H:%M:%f', 'now')) AS last_day
    FROM (
      SELECT min(first_vote) AS first_day, max(last_vote) AS last_day FROM weekly_vote_totals
      UNION ALL
      SELECT min(first_created), max(last_activity) FROM weekly_post_totals
    )
  ),
  calendar (week_start) AS (
    SELECT date(first_day, 'weekday 0', '-6 days') FROM span WHERE first_day IS NOT NULL
    UNION ALL
    SELECT date(calendar.week_start, '+7 days') FROM calendar, span
    WHERE calendar.week_start < date(span.last_day, 'weekday 0', '-6 days')
  )
SELECT
  calendar.week_start,
  date(calendar.week_start, '+6 days') AS week_end,
  CAST(strftime('%Y', calendar.week_start, '+3 days') AS INTEGER) AS iso_year,
  (CAST(strftime('%j', calendar.week_start, '+3 days') AS INTEGER) - 1) / 7 + 1 AS iso_week,
  (calendar.week_start < date(span.first_day)
    OR date(calendar.week_start, '+6 days') > date(span.last_day)) AS is_partial
FROM calendar, span`;

const columns = (kind: "posts" | "votes"): string =>
  [...KINDS[kind].fields.map((field) => field.column), "load_id"].join(", ");

const SCHEMA = `
ALTER TABLE posts RENAME TO posts_all;
ALTER TABLE votes RENAME TO votes_all;
ALTER TABLE post_tags RENAME TO post_tags_all;
ALTER TABLE posts_all ADD COLUMN deleted_by_load_id INTEGER REFERENCES loads (load_id);
ALTER TABLE posts_all ADD COLUMN deleted_at TEXT;
ALTER TABLE votes_all ADD COLUMN deleted_by_load_id INTEGER REFERENCES loads (load_id);
ALTER TABLE votes_all ADD COLUMN deleted_at TEXT;

CREATE VIEW posts AS
SELECT ${columns("posts")} FROM posts_all WHERE deleted_by_load_id IS NULL;
CREATE VIEW votes AS
SELECT ${columns("votes")} FROM votes_all WHERE deleted_by_load_id IS NULL;
CREATE VIEW post_tags AS
SELECT t.post_id, t.tag FROM post_tags_all AS t JOIN posts_all AS p ON p.id = t.post_id
WHERE p.deleted_by_load_id IS NULL;

ALTER TABLE loads ADD COLUMN delivery TEXT NOT NULL DEFAULT 'increment'
  CHECK (delivery IN ('increment', 'snapshot'));
ALTER TABLE loads ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE loads ADD COLUMN restored INTEGER NOT NULL DEFAULT 0;
ALTER TABLE loads ADD COLUMN conflicts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE loads ADD COLUMN rules_version INTEGER;
ALTER TABLE loads ADD COLUMN expected_records INTEGER;
ALTER TABLE loads ADD COLUMN known_ids INTEGER;
ALTER TABLE loads ADD COLUMN min_id INTEGER;
ALTER TABLE loads ADD COLUMN max_id INTEGER;
ALTER TABLE loads ADD COLUMN first_date TEXT;
ALTER TABLE loads ADD COLUMN last_date TEXT;

CREATE TABLE vote_conflicts (
  vote_id INTEGER NOT NULL,
  load_id INTEGER NOT NULL REFERENCES loads (load_id),
  post_id INTEGER NOT NULL,
  vote_type_id INTEGER NOT NULL,
  user_id INTEGER,
  bounty_amount INTEGER,
  creation_date TEXT NOT NULL
) STRICT;
CREATE INDEX vote_conflicts_by_vote ON vote_conflicts (vote_id);
`;

/**
 * Schema step 6: deletions and what a delivery means. Every row ever delivered stays in
 * `posts_all` / `votes_all` (a record absent from a full snapshot is marked with the load that
 * deleted it); `posts`, `votes` and `post_tags` become views of the live rows, so everything
 * analysts query excludes deleted records. Loads record their delivery kind, ledger and rules.
 * The `weeks` calendar keeps inside 2008 to now.
 */
export function applyDeletionsMigration(db: Database): void {
  const definition = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'view' AND name = ?");
  const views = DEPENDENT_VIEWS.map((name) => ({
    name,
    sql: definition.pluck().get(name) as string | undefined,
  }));
  for (const { name, sql } of [...views].reverse()) {
    if (sql !== undefined) db.exec(`DROP VIEW ${name}`);
  }
  db.exec(SCHEMA);
  for (const { name, sql } of views) if (sql !== undefined) db.exec(name === "weeks" ? WEEKS : sql);
}

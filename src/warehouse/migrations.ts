import { randomUUID } from "node:crypto";
import type { Database } from "better-sqlite3";
import { POST_TYPES, VOTE_TYPES } from "../model/kinds.js";
import { applyCalendarMigration } from "./migration-calendar.js";
import { applyDeletionsMigration } from "./migration-deletions.js";

/** One step of the warehouse schema. Applied steps are never edited: change the schema by adding one. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly apply: (db: Database) => void;
}

const CORE_TABLES = `
CREATE TABLE loads (
  load_id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('posts', 'votes')),
  source_path TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  arrived_at TEXT NOT NULL,
  loaded_at TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('delivery', 'archive')),
  outcome TEXT NOT NULL CHECK (outcome IN ('running', 'loaded', 'already-loaded')),
  records_read INTEGER NOT NULL DEFAULT 0,
  inserted INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  unchanged INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX loads_by_sha256 ON loads (sha256, kind);

CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  post_type_id INTEGER NOT NULL,
  accepted_answer_id INTEGER,
  parent_id INTEGER,
  creation_date TEXT NOT NULL,
  score INTEGER NOT NULL,
  view_count INTEGER,
  body TEXT NOT NULL,
  owner_user_id INTEGER,
  owner_display_name TEXT,
  last_editor_user_id INTEGER,
  last_editor_display_name TEXT,
  last_edit_date TEXT,
  last_activity_date TEXT NOT NULL,
  title TEXT,
  tags TEXT,
  answer_count INTEGER,
  comment_count INTEGER NOT NULL,
  favorite_count INTEGER,
  closed_date TEXT,
  community_owned_date TEXT,
  content_license TEXT NOT NULL,
  load_id INTEGER NOT NULL REFERENCES loads (load_id)
) STRICT;
CREATE INDEX posts_by_parent ON posts (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE votes (
  id INTEGER PRIMARY KEY,
  post_id INTEGER NOT NULL,
  vote_type_id INTEGER NOT NULL,
  user_id INTEGER,
  bounty_amount INTEGER,
  creation_date TEXT NOT NULL,
  load_id INTEGER NOT NULL REFERENCES loads (load_id)
) STRICT;
CREATE INDEX votes_by_post ON votes (post_id);

CREATE TABLE post_tags (
  post_id INTEGER NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (post_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX post_tags_by_tag ON post_tags (tag);

CREATE TABLE vote_types (id INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT;
CREATE TABLE post_types (id INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT;

CREATE TABLE rejected_records (
  load_id INTEGER NOT NULL REFERENCES loads (load_id),
  record_number INTEGER NOT NULL,
  line INTEGER NOT NULL,
  reason TEXT NOT NULL,
  raw TEXT NOT NULL,
  PRIMARY KEY (load_id, record_number)
) STRICT;

CREATE TABLE load_unknown_keys (
  load_id INTEGER NOT NULL REFERENCES loads (load_id),
  key TEXT NOT NULL,
  records INTEGER NOT NULL,
  PRIMARY KEY (load_id, key)
) STRICT;

CREATE VIEW weekly_votes AS
SELECT
  date(creation_date, 'weekday 0', '-6 days') AS week_start,
  count(*) AS votes,
  count(DISTINCT post_id) AS posts_voted,
  CAST(count(*) AS REAL) / count(DISTINCT post_id) AS mean_votes_per_post
FROM votes
GROUP BY week_start
ORDER BY week_start;
`;

const CHECK_TABLES = `
CREATE TABLE check_runs (
  check_run_id INTEGER PRIMARY KEY,
  checked_at TEXT NOT NULL,
  run_id INTEGER
) STRICT;

CREATE TABLE check_results (
  check_run_id INTEGER NOT NULL REFERENCES check_runs (check_run_id),
  name TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('error', 'warning')),
  failing INTEGER NOT NULL,
  sample_ids TEXT NOT NULL,
  PRIMARY KEY (check_run_id, name)
) STRICT;

CREATE VIEW latest_check_results AS
SELECT r.name, r.severity, r.failing, r.sample_ids, c.checked_at
FROM check_results AS r JOIN check_runs AS c USING (check_run_id)
WHERE r.check_run_id = (SELECT max(check_run_id) FROM check_runs);
`;

const ANALYST_VIEWS = `
DROP VIEW weekly_votes;

CREATE VIEW weeks AS
WITH RECURSIVE
  span AS (
    SELECT min(first_day) AS first_day, max(last_day) AS last_day FROM (
      SELECT min(creation_date) AS first_day, max(creation_date) AS last_day FROM votes
      UNION ALL
      SELECT min(creation_date), max(last_activity_date) FROM posts
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
FROM calendar, span;

CREATE VIEW weekly_votes_all_weeks AS
WITH
  votes_per_week AS (
    SELECT
      date(creation_date, 'weekday 0', '-6 days') AS week_start,
      count(*) AS votes,
      count(DISTINCT post_id) AS posts_voted,
      sum(vote_type_id = 2) AS upvotes,
      sum(vote_type_id = 3) AS downvotes
    FROM votes
    GROUP BY 1
  ),
  posts_per_week AS (
    SELECT date(creation_date, 'weekday 0', '-6 days') AS week_start, count(*) AS created
    FROM posts
    GROUP BY 1
  ),
  calendar AS (
    SELECT
      weeks.*,
      sum(coalesce(posts_per_week.created, 0)) OVER (ORDER BY weeks.week_start) AS posts_live
    FROM weeks LEFT JOIN posts_per_week USING (week_start)
  )
SELECT
  calendar.week_start,
  coalesce(v.votes, 0) AS votes,
  coalesce(v.posts_voted, 0) AS posts_voted,
  CAST(v.votes AS REAL) / v.posts_voted AS mean_votes_per_post,
  calendar.iso_year,
  calendar.iso_week,
  coalesce(v.upvotes, 0) AS upvotes,
  coalesce(v.downvotes, 0) AS downvotes,
  calendar.posts_live,
  CAST(coalesce(v.votes, 0) AS REAL) / nullif(calendar.posts_live, 0) AS mean_votes_per_live_post,
  calendar.is_partial
FROM calendar LEFT JOIN votes_per_week AS v USING (week_start)
ORDER BY calendar.week_start;

CREATE VIEW weekly_votes AS
SELECT * FROM weekly_votes_all_weeks WHERE votes > 0;

CREATE VIEW post_weekly_votes AS
SELECT post_id, date(creation_date, 'weekday 0', '-6 days') AS week_start, count(*) AS votes
FROM votes
GROUP BY post_id, week_start;

CREATE VIEW questions AS
SELECT
  p.id,
  t.name AS post_type,
  p.title,
  (SELECT group_concat(tag, ' ') FROM (SELECT tag FROM post_tags WHERE post_id = p.id ORDER BY tag)) AS tag_list,
  p.score,
  p.view_count,
  p.answer_count,
  p.comment_count,
  p.favorite_count,
  p.accepted_answer_id,
  p.creation_date,
  p.last_activity_date,
  p.closed_date,
  p.owner_user_id,
  p.owner_display_name,
  p.body
FROM posts AS p JOIN post_types AS t ON t.id = p.post_type_id
WHERE p.post_type_id = 1;

CREATE VIEW answers AS
SELECT
  a.id,
  t.name AS post_type,
  a.parent_id AS question_id,
  q.title AS question_title,
  (SELECT group_concat(tag, ' ') FROM (SELECT tag FROM post_tags WHERE post_id = a.parent_id ORDER BY tag)) AS question_tag_list,
  (q.accepted_answer_id IS a.id) AS is_accepted,
  a.score,
  a.comment_count,
  a.creation_date,
  a.last_activity_date,
  a.owner_user_id,
  a.owner_display_name,
  a.body
FROM posts AS a
JOIN post_types AS t ON t.id = a.post_type_id
LEFT JOIN posts AS q ON q.id = a.parent_id
WHERE a.post_type_id = 2;
`;

const WEEKLY_TOTALS = `
CREATE INDEX posts_by_creation ON posts (creation_date, last_activity_date);

CREATE TABLE weekly_vote_totals (
  week_start TEXT PRIMARY KEY,
  votes INTEGER NOT NULL,
  posts_voted INTEGER NOT NULL,
  upvotes INTEGER NOT NULL,
  downvotes INTEGER NOT NULL,
  first_vote TEXT NOT NULL,
  last_vote TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE weekly_post_totals (
  week_start TEXT PRIMARY KEY,
  created INTEGER NOT NULL,
  first_created TEXT NOT NULL,
  last_activity TEXT NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO weekly_vote_totals
SELECT date(creation_date, 'weekday 0', '-6 days'), count(*), count(DISTINCT post_id),
       sum(vote_type_id = 2), sum(vote_type_id = 3), min(creation_date), max(creation_date)
FROM votes GROUP BY 1;

INSERT INTO weekly_post_totals
SELECT date(creation_date, 'weekday 0', '-6 days'), count(*), min(creation_date), max(last_activity_date)
FROM posts GROUP BY 1;

DROP VIEW weekly_votes;
DROP VIEW weekly_votes_all_weeks;
DROP VIEW weeks;

CREATE VIEW weeks AS
WITH RECURSIVE
  span AS (
    SELECT min(first_day) AS first_day, max(last_day) AS last_day FROM (
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
FROM calendar, span;

CREATE VIEW weekly_votes_all_weeks AS
WITH calendar AS (
  SELECT
    weeks.*,
    sum(coalesce(p.created, 0)) OVER (ORDER BY weeks.week_start) AS posts_live
  FROM weeks LEFT JOIN weekly_post_totals AS p USING (week_start)
)
SELECT
  calendar.week_start,
  coalesce(v.votes, 0) AS votes,
  coalesce(v.posts_voted, 0) AS posts_voted,
  CAST(v.votes AS REAL) / v.posts_voted AS mean_votes_per_post,
  calendar.iso_year,
  calendar.iso_week,
  coalesce(v.upvotes, 0) AS upvotes,
  coalesce(v.downvotes, 0) AS downvotes,
  calendar.posts_live,
  CAST(coalesce(v.votes, 0) AS REAL) / nullif(calendar.posts_live, 0) AS mean_votes_per_live_post,
  calendar.is_partial
FROM calendar LEFT JOIN weekly_vote_totals AS v USING (week_start)
ORDER BY calendar.week_start;

CREATE VIEW weekly_votes AS
SELECT * FROM weekly_votes_all_weeks WHERE votes > 0;
`;

/** Every schema step, oldest first. A warehouse records the last one applied in `user_version`. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "posts, votes, tags, type names, loads audit, quarantine, weekly_votes",
    apply(db) {
      db.exec(CORE_TABLES);
      const voteType = db.prepare("INSERT INTO vote_types (id, name) VALUES (?, ?)");
      for (const [id, name] of VOTE_TYPES) voteType.run(id, name);
      const postType = db.prepare("INSERT INTO post_types (id, name) VALUES (?, ?)");
      for (const [id, name] of POST_TYPES) postType.run(id, name);
    },
  },
  {
    version: 2,
    description: "data-quality check results",
    apply(db) {
      db.exec(CHECK_TABLES);
    },
  },
  {
    version: 3,
    description: "week calendar, weekly metrics both ways, per-post weeks, questions and answers",
    apply(db) {
      db.exec(ANALYST_VIEWS);
    },
  },
  {
    version: 4,
    description: "weekly totals kept up to date by each run, so the weekly views read a few rows",
    apply(db) {
      db.exec(WEEKLY_TOTALS);
    },
  },
  {
    version: 5,
    description: "the warehouse's history id, which its landing archive records too",
    apply(db) {
      db.exec("CREATE TABLE warehouse_history (history_id TEXT NOT NULL) STRICT");
      db.prepare("INSERT INTO warehouse_history (history_id) VALUES (?)").run(randomUUID());
    },
  },
  {
    version: 6,
    description:
      "deleted records kept apart from live ones; delivery kinds, ledger and rules in loads",
    apply: applyDeletionsMigration,
  },
  {
    version: 7,
    description: "the week calendar and weekly metrics as tables each run writes by one rule",
    apply: applyCalendarMigration,
  },
];

/** The schema version this build of stackhouse writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

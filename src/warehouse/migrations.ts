import { randomUUID } from "node:crypto";
import type { Database } from "better-sqlite3";
import { POST_TYPES, VOTE_TYPES } from "../model/kinds.js";
import { applyCalendarMigration, writeCalendar } from "./migration-calendar.js";
import { ANALYST_VIEWS, WEEKLY_TOTALS } from "./migration-views.js";
import { applyDeletionsMigration } from "./migration-deletions.js";
import { refreshWeeklyTotals } from "../load/refresh-weekly-totals.js";

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
  {
    version: 8,
    description: "posts with an up- or down-vote per week, for the answer over those votes alone",
    apply(db) {
      for (const table of ["weekly_vote_totals", "weekly_votes_all_weeks"]) {
        db.exec(`ALTER TABLE ${table} ADD COLUMN updown_posts_voted INTEGER NOT NULL DEFAULT 0`);
      }
      const weeks = db.prepare("SELECT week_start FROM weekly_vote_totals").pluck().all();
      refreshWeeklyTotals(db, { votes: weeks as string[], posts: [] });
      writeCalendar(db, new Date());
    },
  },
  {
    version: 9,
    description:
      "the last week partial until the data reaches the Monday after it: the calendar written again",
    apply(db) {
      writeCalendar(db, new Date());
    },
  },
];

/** The schema version this build of stackhouse writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

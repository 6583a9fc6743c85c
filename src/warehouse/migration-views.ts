/** Schema step 3: the week calendar, weekly metrics both ways, per-post weeks, questions and answers. */
export const ANALYST_VIEWS = `
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

/** Schema step 4: weekly totals kept up to date by each run, and the weekly views over them. */
export const WEEKLY_TOTALS = `
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

import { weeklyCalendar, type PostWeek, type VoteWeek } from "../analysis/weekly-calendar.js";
import { summarizeWeeks, type WeeklyAnswer } from "../analysis/weekly-series.js";
import { connectClickHouse, requireClickHouseWarehouse } from "./clickhouse-ingest.js";
import { latestRows } from "./clickhouse-schema.js";
import type { ClickHouseTarget } from "./target-url.js";

const WEEK_OF = (column: string): string =>
  `toString(toMonday(toDate(substring(${column}, 1, 10))))`;

/**
 * The weekly answer from a ClickHouse warehouse: the same series and summaries as SQLite's
 * `weekly_votes_all_weeks` and `stackhouse report`, built from two small aggregates (votes and new
 * posts per ISO week) computed on the shards.
 *
 * @example
 * const answer = await clickHouseWeeklyAnswer(parseTarget("clickhouse://127.0.0.1:8123/stackhouse"));
 */
export async function clickHouseWeeklyAnswer(target: ClickHouseTarget): Promise<WeeklyAnswer> {
  await requireClickHouseWarehouse(target);
  const client = connectClickHouse(target.hosts[0] ?? "");
  const { database } = target;
  try {
    const votes = await (
      await client.query({
        query: `SELECT ${WEEK_OF("creation_date")} AS week_start, count() AS votes,
                       uniqExact(post_id) AS posts_voted, countIf(vote_type_id = 2) AS upvotes,
                       countIf(vote_type_id = 3) AS downvotes, min(creation_date) AS first_vote,
                       max(creation_date) AS last_vote
                FROM ${latestRows(database, "votes", ["post_id", "vote_type_id", "creation_date"])}
                GROUP BY week_start ORDER BY week_start`,
        format: "JSONEachRow",
      })
    ).json<VoteWeek>();
    const posts = await (
      await client.query({
        query: `SELECT ${WEEK_OF("creation_date")} AS week_start, count() AS created,
                       min(creation_date) AS first_created, max(last_activity_date) AS last_activity
                FROM ${latestRows(database, "posts", ["creation_date", "last_activity_date"])}
                GROUP BY week_start ORDER BY week_start`,
        format: "JSONEachRow",
      })
    ).json<PostWeek>();
    return summarizeWeeks(weeklyCalendar(votes, posts));
  } finally {
    await client.close();
  }
}

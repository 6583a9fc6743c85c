import type { ClickHouseFileReport } from "../clickhouse/clickhouse-ingest.js";
import { formatTable } from "./format-table.js";

/** The summary of an ingest into ClickHouse, and the latest weeks of its weekly_votes. */
export function renderClickHouseIngest(
  target: string,
  files: readonly ClickHouseFileReport[],
  weeks: readonly {
    week_start: string;
    votes: number;
    posts_voted: number;
    mean_votes_per_post: number;
  }[],
): string {
  const table = formatTable(
    ["kind", "file", "outcome", "load", "read", "written", "rejected", "seconds"],
    files.map((file) => [
      file.kind,
      file.path,
      file.outcome,
      file.loadId,
      file.read,
      file.written,
      file.rejected,
      Number(file.seconds.toFixed(2)),
    ]),
  );
  const mean =
    weeks.length === 0
      ? null
      : weeks.reduce((sum, week) => sum + week.mean_votes_per_post, 0) / weeks.length;
  return [
    `Ingested into ${target}:`,
    table,
    "",
    mean === null
      ? "No votes yet."
      : `Mean votes per voted post per week: ${mean.toFixed(2)} over ${String(weeks.length)} weeks with votes (the view weekly_votes).`,
    formatTable(
      ["week_start", "votes", "posts_voted", "mean_votes_per_post"],
      weeks
        .slice(-8)
        .map((week) => [week.week_start, week.votes, week.posts_voted, week.mean_votes_per_post]),
    ),
  ].join("\n");
}

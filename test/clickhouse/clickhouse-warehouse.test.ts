import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  clickHouseWeeklyVotes,
  connectClickHouse,
  dropClickHouseDatabase,
  ingestClickHouse,
} from "../../src/clickhouse/clickhouse-ingest.js";
import { parseTarget, type ClickHouseTarget } from "../../src/clickhouse/target-url.js";
import { ingest } from "../../src/run/ingest.js";
import { generated, records, writeLayout } from "../helpers/deliveries.js";
import { rejection } from "../helpers/errors.js";
import { fileWith } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { queryRows } from "../helpers/warehouse-dump.js";

const URL = process.env.STACKHOUSE_CLICKHOUSE_URL;
if (URL === undefined) {
  if (process.env.STACKHOUSE_REQUIRE_CLICKHOUSE === "1")
    throw new Error("STACKHOUSE_CLICKHOUSE_URL is not set");
  console.warn("SKIPPED: ClickHouse tests (set STACKHOUSE_CLICKHOUSE_URL, as .ci/run does)");
}

/** A database of its own for one test, on the configured servers. */
async function freshTarget(): Promise<ClickHouseTarget> {
  const base = parseTarget(URL ?? "");
  const target = {
    ...base,
    database: `stackhouse_test_${Math.random().toString(36).slice(2, 10)}`,
  };
  await dropClickHouseDatabase(target);
  return target;
}

async function rows(target: ClickHouseTarget, query: string): Promise<Record<string, unknown>[]> {
  const client = connectClickHouse(target.hosts[0] ?? "");
  try {
    return await (await client.query({ query, format: "JSONEachRow" })).json();
  } finally {
    await client.close();
  }
}

const latestPosts = (database: string): string =>
  `SELECT id, argMax(last_activity_date, (version, load_id)) AS last_activity_date, argMax(score, (version, load_id)) AS score
   FROM ${database}.posts GROUP BY id ORDER BY id`;

describe.skipIf(URL === undefined)("the ClickHouse warehouse", () => {
  it("gives the same weekly_votes as SQLite for the same deliveries, stale one included", async () => {
    const dir = await tempDir();
    const target = await freshTarget();
    const sqlite = join(dir, "w.db");
    const deliveries = [await generated(dir, 1), await generated(dir, 2)];
    const { posts, votes } = records(1);
    const stale = {
      posts: await writeLayout(join(dir, "stale-posts.ndjson"), posts, "ndjson"),
      votes: await writeLayout(join(dir, "stale-votes.ndjson"), votes, "ndjson"),
    };
    for (const delivery of [...deliveries, stale]) {
      await ingest({ warehouse: sqlite, ...delivery, checks: false });
      await ingestClickHouse(target, delivery);
    }
    const expected = queryRows(
      sqlite,
      "SELECT week_start, votes, posts_voted, mean_votes_per_post FROM weekly_votes",
    );
    const actual = await clickHouseWeeklyVotes(target);
    expect(
      actual.map((week) => ({
        ...week,
        mean_votes_per_post: Number(week.mean_votes_per_post.toFixed(12)),
      })),
    ).toEqual(
      expected.map((week) => ({
        ...week,
        mean_votes_per_post: Number(Number(week.mean_votes_per_post).toFixed(12)),
      })),
    );
    const shards = await Promise.all(
      target.hosts.map((host) =>
        rows(
          { ...target, hosts: [host] },
          `SELECT count() AS n FROM ${target.database}.${target.cluster === undefined ? "votes" : "votes_local"}`,
        ),
      ),
    );
    if (target.cluster !== undefined)
      expect(shards.every((shard) => Number(shard[0]?.n) > 0)).toBe(true);
    await dropClickHouseDatabase(target);
  });

  it("keeps each post's newest version whatever the delivery order, like SQLite", async () => {
    const dir = await tempDir();
    const target = await freshTarget();
    const sqlite = join(dir, "w.db");
    const [older, newer] = [await generated(dir, 1), await generated(dir, 2)];
    await ingest({ warehouse: sqlite, ...older, checks: false });
    await ingest({ warehouse: sqlite, ...newer, checks: false });
    await ingestClickHouse(target, newer);
    await ingestClickHouse(target, older);
    const expected = queryRows(
      sqlite,
      "SELECT id, last_activity_date, score FROM posts ORDER BY id",
    );
    expect(await rows(target, latestPosts(target.database))).toEqual(expected);
    await dropClickHouseDatabase(target);
  });

  it("skips a re-delivered file, quarantines bad records, and refuses a broken file without writing", async () => {
    const dir = await tempDir();
    const target = await freshTarget();
    const delivery = await generated(dir, 1);
    await ingestClickHouse(target, delivery);
    const again = await ingestClickHouse(target, delivery);
    expect(again.map((file) => file.outcome)).toEqual(["already-loaded", "already-loaded"]);

    const count = async (): Promise<unknown> =>
      rows(
        target,
        `SELECT (SELECT count() FROM ${target.database}.loads) AS loads, (SELECT count() FROM ${target.database}.votes) AS votes`,
      );
    const before = await count();
    const broken = await fileWith(
      dir,
      "broken.json",
      '[{"Id":"1","PostId":"1","VoteTypeId":"2","CreationDate":"2020-01-01T00:00:00.000"}\n,{"Id":"2"',
    );
    const error = await rejection(
      ingestClickHouse(target, { posts: delivery.posts, votes: broken }),
    );
    expect(error.message).toBe(`${broken}: line 2, column 2: truncated: record 2 is not closed`);
    expect(await count()).toEqual(before);

    const good = Array.from({ length: 30 }, (_, index) =>
      JSON.stringify({
        Id: String(900000 + index),
        PostId: "1",
        VoteTypeId: "2",
        CreationDate: "2020-01-06T00:00:00.000",
      }),
    );
    const bad =
      '{"Id":"990000","PostId":"1","VoteTypeId":"2","CreationDate":"2020-02-30T00:00:00.000"}';
    const none = await fileWith(dir, "none.json", "[]");
    const withBad = await fileWith(dir, "bad.json", `[${[...good, bad].join("\n,")}\n]`);
    const report = await ingestClickHouse(target, { posts: none, votes: withBad });
    expect(report[1]).toMatchObject({ read: 31, written: 30, rejected: 1 });
    expect(
      await rows(target, `SELECT record_number, reason FROM ${target.database}.rejected_records`),
    ).toEqual([
      {
        record_number: 31,
        reason: 'CreationDate: "2020-02-30T00:00:00.000" is not a real date and time',
      },
    ]);
    await dropClickHouseDatabase(target);
  });
});

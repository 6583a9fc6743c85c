import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  clickHouseWeeklyVotes,
  connectClickHouse,
  dropClickHouseDatabase,
  ingestClickHouse,
} from "../../src/clickhouse/clickhouse-ingest.js";
import { parseTarget, type ClickHouseTarget } from "../../src/clickhouse/target-url.js";
import { weeklyAnswer } from "../../src/analysis/weekly-series.js";
import { CHECKS } from "../../src/check/checks.js";
import { clickHouseWeeklyAnswer } from "../../src/clickhouse/clickhouse-weekly.js";
import { ingest } from "../../src/run/ingest.js";
import { readWarehouse } from "../../src/warehouse/open-warehouse.js";
import { generated, records, writeLayout } from "../helpers/deliveries.js";
import { rejection } from "../helpers/errors.js";
import { cli, fileWith, fixtureDelivery } from "../helpers/fixtures.js";
import { loadAsOlderVersionClickHouse } from "../helpers/older-version.js";
import { expectedFindings, outOfWindow, post, rulebreakers } from "../helpers/rulebreakers.js";
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

  it("answers the weekly question exactly as SQLite: every week, every column, both summaries", async () => {
    const dir = await tempDir();
    const target = await freshTarget();
    const sqlite = join(dir, "w.db");
    const { posts, votes } = records(1);
    const stale = {
      posts: await writeLayout(join(dir, "stale-posts.ndjson"), posts, "ndjson"),
      votes: await writeLayout(join(dir, "stale-votes.ndjson"), votes, "ndjson"),
    };
    const moved = {
      ...posts[0],
      CreationDate: "2016-01-04T08:00:00.000",
      LastActivityDate: "2023-03-04T00:00:00.000",
    };
    const later = {
      posts: await fileWith(
        dir,
        "later-posts.json",
        `[${post({ id: 990001, created: "2023-03-03T08:00:00.000" })}\n,${JSON.stringify(moved)}]`,
      ),
      votes: await fileWith(dir, "later-votes.json", "[]"),
    };
    for (const delivery of [await generated(dir, 1), await generated(dir, 2), stale, later]) {
      await ingest({ warehouse: sqlite, ...delivery, checks: false });
      await ingestClickHouse(target, delivery);
    }
    const expected = readWarehouse(sqlite, weeklyAnswer);
    const actual = await clickHouseWeeklyAnswer(target);

    expect(actual.series.length).toBeGreaterThan(20);
    expect(actual.series.some((week) => week.votes === 0)).toBe(true);
    expect(rounded(actual)).toEqual(rounded(expected));

    const report = await cli("report", "--target", targetUrl(target), "--json");
    expect(report.code).toBe(0);
    expect(rounded(JSON.parse(report.stdout))).toEqual(rounded(expected));
    await dropClickHouseDatabase(target);
  });

  it("runs the data-quality checks with the same findings as SQLite, and exits 6 on errors", async () => {
    const dir = await tempDir();
    const target = await freshTarget();
    const url = targetUrl(target);
    const fixture = await fixtureDelivery(dir);
    await cli("--target", url, fixture.posts, fixture.votes);
    const clean = await cli("check", "--target", url, "--json");
    expect(clean.code).toBe(0);
    expect(failing(clean.stdout)).toEqual({ votes_orphaned: [7] });

    const posts = await fileWith(dir, "p.json", `[${rulebreakers.posts.join("\n,")}\n]`);
    const votes = await fileWith(dir, "v.json", `[${rulebreakers.votes.join("\n,")}\n]`);
    expect((await cli("--target", url, posts, votes)).code).toBe(0);
    await loadAsOlderVersionClickHouse(target, outOfWindow);
    const result = await cli("check", "--target", url, "--json");

    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/^stackhouse: checks of error severity failed: /);
    expect(failing(result.stdout)).toEqual(expectedFindings);
    const notRun = CHECKS.filter((check) => check.clickhouse === undefined).map((c) => c.name);
    expect(notRun).toEqual([
      "posts_unique_ids",
      "votes_unique_ids",
      "posts_required_fields",
      "votes_required_fields",
      // The delivery ledger and vote conflicts are not on ClickHouse yet (the one-pipeline issue).
      "snapshot_shrank",
      "delivery_off_trend",
      "delivery_stale",
      "votes_resent_with_other_content",
    ]);
    const stored = await rows(
      target,
      `SELECT name, failing, sample_ids FROM ${target.database}.check_results
       WHERE failing > 0 AND check_run_id = (SELECT max(check_run_id) FROM ${target.database}.check_results)
       ORDER BY name`,
    );
    expect(stored).toEqual(
      Object.entries(expectedFindings)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, ids]) => ({ name, failing: ids.length, sample_ids: [...ids] })),
    );
    await dropClickHouseDatabase(target);
  });

  it("names a warehouse that was never loaded, and refuses rebuild on a ClickHouse target", async () => {
    const target = await freshTarget();
    const url = targetUrl(target);
    for (const command of ["check", "report"]) {
      const result = await cli(command, "--target", url);
      expect(result.code).toBe(3);
      expect(result.stderr).toBe(
        `stackhouse: ClickHouse ${target.hosts[0] ?? ""}: no warehouse ${target.database} here; ingest a delivery first\n`,
      );
    }
    const rebuild = await cli("rebuild", "--target", url);
    expect(rebuild.code).toBe(2);
  });

  it("refuses the same bad deliveries as SQLite, with the same one-line errors and exit codes, writing nothing", async () => {
    const dir = await tempDir();
    const target = await freshTarget();
    const url = targetUrl(target);
    const sqlite = join(dir, "w.db");
    const fixture = await fixtureDelivery(dir);
    for (const engine of [
      ["--db", sqlite],
      ["--target", url],
    ]) {
      expect((await cli(...engine, fixture.posts, fixture.votes)).code).toBe(0);
    }
    const vote = (id: number, extra = ""): string =>
      `{"Id":"${String(id)}","PostId":"1","VoteTypeId":"2"${extra},"CreationDate":"2019-02-04T00:00:00.000"}`;
    const good = Array.from({ length: 36 }, (_, index) => vote(1000 + index));
    const bad = [
      vote(1, ',"BountyAmount":"x"'),
      vote(2, ',"BountyAmount":"y"'),
      vote(3, ',"UserId":"1.5"'),
      '{"Id":"4","PostId":"1","CreationDate":"2019-02-04T00:00:00.000"}',
    ];
    const cases: [string, string[]][] = [
      [
        "too many rejected",
        [fixture.posts, await fileWith(dir, "v1.json", `[${[...good, ...bad].join("\n,")}\n]`)],
      ],
      ["truncated", [fixture.posts, await fileWith(dir, "v2.json", `[${vote(5)}\n,{"Id":"6"`)]],
      ["not JSON", [fixture.posts, await fileWith(dir, "v3.json", "Id,PostId\n1,2\n")]],
      ["votes as posts", [fixture.votes, fixture.votes]],
      ["empty", [fixture.posts, await fileWith(dir, "v4.json", "")]],
      ["missing", [fixture.posts, join(dir, "no-such-file.json")]],
    ];
    const state = async (): Promise<unknown> =>
      rows(
        target,
        `SELECT (SELECT count() FROM ${target.database}.loads) AS loads, (SELECT count() FROM ${target.database}.votes) AS votes, (SELECT count() FROM ${target.database}.posts) AS posts`,
      );
    const before = await state();
    for (const [name, files] of cases) {
      const onSqlite = await cli("--db", sqlite, ...files);
      const onClickHouse = await cli("--target", url, ...files);
      expect(onSqlite.code, name).toBeGreaterThan(0);
      expect({ code: onClickHouse.code, stderr: onClickHouse.stderr }, name).toEqual({
        code: onSqlite.code,
        stderr: onSqlite.stderr,
      });
    }
    expect(await state()).toEqual(before);
    await dropClickHouseDatabase(target);
  });
});

/** The URL of a target, as a user would give it. */
function targetUrl(target: ClickHouseTarget): string {
  const hosts = target.hosts.map((host) => host.replace(/^http:\/\//, "")).join(",");
  const cluster = target.cluster === undefined ? "" : `?cluster=${target.cluster}`;
  return `clickhouse://${hosts}/${target.database}${cluster}`;
}

/** The failing checks of a `check --json` output, with their sample ids. */
function failing(stdout: string): Record<string, readonly number[]> {
  const report = JSON.parse(stdout) as {
    results: { name: string; failing: number; sample: number[] }[];
  };
  return Object.fromEntries(
    report.results
      .filter((result) => result.failing > 0)
      .map((result) => [result.name, result.sample]),
  );
}

/** Numbers to 12 significant digits, so float sums that differ in the last bit compare equal. */
function rounded(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, item: unknown) =>
      typeof item === "number" && !Number.isInteger(item) ? Number(item.toPrecision(12)) : item,
    ),
  );
}

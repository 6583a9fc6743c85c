import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ClickHouseServers } from "../../src/clickhouse/clickhouse-connection.js";
import { committedRun, visibleAt } from "../../src/clickhouse/clickhouse-schema.js";
import { parseTarget } from "../../src/clickhouse/target-url.js";
import { ingest } from "../../src/run/ingest.js";
import { generated } from "../helpers/deliveries.js";
import { ENGINES } from "../helpers/engines.js";
import { cli } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";

/*
 * What ClickHouse does as SQLite does is tested on both engines in test/acceptance/: merging,
 * delivery order, re-deliveries, quarantine and refusals, the weekly answer, the checks. Here is
 * only what a cluster adds.
 */

const clickhouse = ENGINES.find((engine) => engine.name === "clickhouse");
const cluster =
  clickhouse === undefined
    ? undefined
    : parseTarget(process.env.STACKHOUSE_CLICKHOUSE_URL ?? "").cluster;

describe.skipIf(cluster === undefined)("a ClickHouse warehouse on a cluster", () => {
  it("spreads the records over every shard, each id's versions on one shard and one seen", async () => {
    const dir = await tempDir();
    if (clickhouse === undefined) throw new Error("no ClickHouse servers given");
    const warehouse = await clickhouse.fresh(dir);
    await ingest({ warehouse: warehouse.destination, ...(await generated(dir, 1)), checks: false });
    await ingest({ warehouse: warehouse.destination, ...(await generated(dir, 2)), checks: false });
    const target = parseTarget(warehouse.args[1] ?? "");
    const servers = new ClickHouseServers(target);
    try {
      const committed = await servers.count(`SELECT ${committedRun(target.database)}`);
      for (const kind of ["posts", "votes"] as const) {
        const perShard: number[] = [];
        for (let server = 0; server < servers.servers; server++) {
          const [[rows, ids] = []] = await servers.rows(
            `SELECT count(), uniqExact(id) FROM ${target.database}.${kind}_all_local
             WHERE ${visibleAt(String(committed))}`,
            server,
          );
          expect(rows, `${kind} on server ${String(server)}`).toBe(ids);
          perShard.push(Number(rows));
        }
        expect(perShard.length, kind).toBeGreaterThan(1);
        expect(
          perShard.every((rows) => rows > 0),
          kind,
        ).toBe(true);
        const [whole] = await warehouse.rows(
          `SELECT count() AS n, uniqExact(id) AS ids FROM ${target.database}.${kind}`,
        );
        const total = perShard.reduce((a, b) => a + b, 0);
        expect(whole, kind).toEqual({ n: total, ids: total });
      }
    } finally {
      await servers.close();
      await warehouse.drop();
    }
  });

  it("refuses a warehouse whose weekly totals an older stackhouse laid out, until it is rebuilt", async () => {
    const dir = await tempDir();
    if (clickhouse === undefined) throw new Error("no ClickHouse servers given");
    const warehouse = await clickhouse.fresh(dir);
    const delivery = await generated(dir, 1);
    await ingest({ warehouse: warehouse.destination, ...delivery, checks: false });
    const target = parseTarget(warehouse.args[1] ?? "");
    const servers = new ClickHouseServers(target);
    try {
      await servers.exec(
        `ALTER TABLE ${target.database}.weekly_vote_totals_by_run DROP COLUMN updown_posts_voted`,
      );
    } finally {
      await servers.close();
    }

    const refused = await cli(...warehouse.args, delivery.votes);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(
      `a warehouse made by an older stackhouse, whose layout this one cannot extend in place`,
    );
    expect(refused.stderr).toContain(`stackhouse rebuild --target ${warehouse.args[1] ?? ""}`);

    await warehouse.drop();
    expect((await cli("rebuild", ...warehouse.args)).code).toBe(0);
    const [week] = await warehouse.rows(
      "SELECT sum(updown_posts_voted) AS posts FROM weekly_vote_totals",
    );
    expect(Number(week?.posts)).toBeGreaterThan(0);
  });

  it("refuses a warehouse one of whose servers lost its tables, changing nothing, until it is rebuilt", async () => {
    const dir = await tempDir();
    if (clickhouse === undefined) throw new Error("no ClickHouse servers given");
    const warehouse = await clickhouse.fresh(dir);
    const first = await generated(dir, 1);
    expect((await cli(...warehouse.args, first.posts, first.votes)).code).toBe(0);
    const counts =
      "SELECT (SELECT count() FROM posts) AS posts, (SELECT count() FROM votes) AS votes";
    const whole = await warehouse.rows(counts);
    const target = parseTarget(warehouse.args[1] ?? "");
    const servers = new ClickHouseServers(target, true);
    try {
      await servers.exec(`DROP DATABASE ${target.database}`, 1);
    } finally {
      await servers.close();
    }

    const second = await generated(dir, 2);
    const rebuildItWith = `stackhouse rebuild ${warehouse.args.join(" ")}`;
    for (const argv of [["check"], ["query", "SELECT count() FROM posts"], ["report"]]) {
      const refused = await cli(...argv, ...warehouse.args);
      expect(refused.code, argv[0]).toBe(3);
      expect(refused.stderr, argv[0]).toMatch(
        /^stackhouse: \S+: the warehouse is not whole: server \S+ has none of its tables .*; nothing was changed; /,
      );
      expect(refused.stderr.endsWith(`: ${rebuildItWith}\n`), refused.stderr).toBe(true);
    }
    const ingestRefused = await cli(...warehouse.args, second.posts, second.votes);
    expect(ingestRefused.code).toBe(4);
    expect(ingestRefused.stderr).toContain(`the warehouse is not whole`);
    // Elsewhere, with another landing archive (here an empty one), it is refused all the same.
    const elsewhere = ["--target", warehouse.args[1] ?? "", "--archive", join(dir, "elsewhere")];
    const refusedElsewhere = await cli("check", ...elsewhere);
    expect(refusedElsewhere.code).toBe(3);
    expect(refusedElsewhere.stderr).toContain(
      "holds no run: give the archive's folder with --archive",
    );
    // Another warehouse's archive is refused too, before anything is replaced.
    const other = await clickhouse.fresh(join(dir, "other"));
    expect((await cli(...other.args, first.votes)).code).toBe(0);
    const foreign = ["--target", warehouse.args[1] ?? "", "--archive", other.args[3] ?? ""];
    const refusedForeign = await cli("rebuild", ...foreign);
    expect(refusedForeign.code).toBe(4);
    expect(refusedForeign.stderr).toContain("belongs to another warehouse's history");
    await other.drop();
    const lost = new ClickHouseServers(target, true);
    try {
      const [[databases] = []] = await lost.rows(
        `SELECT count() FROM system.databases WHERE name = '${target.database}'`,
        1,
      );
      expect(Number(databases), "the lost server's database stays dropped").toBe(0);
    } finally {
      await lost.close();
    }

    const rebuilt = await cli("rebuild", ...warehouse.args);
    expect(rebuilt.stderr).toBe("");
    expect(rebuilt.code).toBe(0);
    expect(await warehouse.rows(counts)).toEqual(whole);
    expect((await cli(...warehouse.args, second.posts, second.votes)).code).toBe(0);
    await warehouse.drop();
  });
});

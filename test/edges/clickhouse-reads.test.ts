import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { connectClickHouse } from "../../src/clickhouse/clickhouse-connection.js";
import { parseTarget } from "../../src/clickhouse/target-url.js";
import { tsvFields, typedValue } from "../../src/clickhouse/tsv-values.js";
import { ENGINES, type TestWarehouse } from "../helpers/engines.js";
import { cli, fixtureDelivery } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";

const URL = process.env.STACKHOUSE_CLICKHOUSE_URL;
if (URL === undefined) {
  if (process.env.STACKHOUSE_REQUIRE_CLICKHOUSE === "1")
    throw new Error("STACKHOUSE_CLICKHOUSE_URL is not set");
  console.warn("SKIPPED: ClickHouse reads (set STACKHOUSE_CLICKHOUSE_URL, as .ci/run does)");
}

/**
 * A warehouse holding the fixture delivery, on the configured servers: the queries below read
 * `system.numbers` through it, as an analyst's query runs against a warehouse.
 */
let warehouse: TestWarehouse | undefined;
beforeAll(async () => {
  const clickhouse = ENGINES.find((engine) => engine.name === "clickhouse");
  if (clickhouse === undefined) return;
  const dir = await tempDir();
  warehouse = await clickhouse.fresh(dir);
  const delivery = await fixtureDelivery(dir);
  expect((await cli(...warehouse.args, "--no-checks", delivery.posts, delivery.votes)).code).toBe(
    0,
  );
});

/** The options that name the warehouse, and its first server. */
function loaded(): { args: readonly string[]; host: string } {
  if (warehouse === undefined) throw new Error("no ClickHouse servers given");
  return { args: warehouse.args, host: parseTarget(warehouse.args[1] ?? "").hosts[0] ?? "" };
}

describe("item 7 (partly): ClickHouse values as exact as SQLite's", () => {
  it("reads 64-bit integers exactly, as bigint past 2^53, and other types as ClickHouse prints them", () => {
    expect(typedValue("Int64", "9007199254740993")).toBe(9007199254740993n);
    expect(typedValue("UInt64", "18446744073709551615")).toBe(18446744073709551615n);
    expect(typedValue("Nullable(Int64)", "42")).toBe(42);
    expect(typedValue("Nullable(Int64)", null)).toBeNull();
    expect(typedValue("Float64", "inf")).toBe(Infinity);
    expect(typedValue("Decimal(38, 10)", "1.5000000000")).toBe("1.5000000000");
    expect(tsvFields("a\\tb\t\\N\t\\\\N\tx\\ny")).toEqual(["a\tb", null, "\\N", "x\ny"]);
  });
});

describe.skipIf(URL === undefined)("items 7 and 8 on ClickHouse", () => {
  it("prints ids above 2^53 exactly (9007199254740993 stays ...993)", async () => {
    const { args } = loaded();
    const sql =
      "SELECT toInt64(9007199254740993) AS id, toUInt64(18446744073709551615) AS big, toInt64(42) AS small, 'x' AS s, 7 AS `2`";
    const csv = await cli("query", ...args, sql);
    expect(csv).toEqual({
      code: 0,
      stdout: "id,big,small,s,2\n9007199254740993,18446744073709551615,42,x,7\n",
      stderr: "",
    });
    const json = await cli("query", ...args, sql, "--format", "json");
    expect(JSON.parse(json.stdout)).toEqual([
      { id: "9007199254740993", big: "18446744073709551615", small: 42, s: "x", 2: 7 },
    ]);
  });

  it("has the server apply --limit 10, even over an endless table", async () => {
    const { args } = loaded();
    const result = await cli(
      "query",
      ...args,
      "SELECT number FROM system.numbers",
      "--limit",
      "10",
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`number\n${[...Array(10).keys()].join("\n")}\n`);
    expect(result.stderr).toBe(
      "note: showing the first 10 rows; more were cut (--limit 0 shows all)\n",
    );
  });

  it("streams an export of every row", async () => {
    const { args } = loaded();
    const result = await cli(
      "query",
      ...args,
      "SELECT number FROM system.numbers LIMIT 300000",
      "--limit",
      "0",
      "--format",
      "ndjson",
    );
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(300_000);
    expect(lines.at(-1)).toBe('{"number":299999}');
  });

  it("stops a query that produces no row at --timeout, and kills it on the server", async () => {
    const { args, host } = loaded();
    const marker = `stackhouse_timeout_${String(process.pid)}_${String(Date.now())}`;
    const sql = `SELECT count() AS ${marker} FROM system.numbers`;
    const result = await cli("query", ...args, sql, "--timeout", "1");
    expect(result).toEqual({
      code: 7,
      stdout: "",
      stderr:
        "stackhouse: query stopped: no row came for 1 s (--timeout 1; raise it, or 0 for no limit)\n",
    });
    const client = connectClickHouse(host);
    try {
      let running = 1;
      for (let attempt = 0; attempt < 100 && running > 0; attempt++) {
        const rows = await (
          await client.query({
            query: `SELECT count() AS n FROM system.processes WHERE query LIKE '%${marker} FROM%' AND query NOT LIKE '%system.processes%'`,
            format: "JSONEachRow",
          })
        ).json<{ n: number | string }>();
        running = Number(rows[0]?.n ?? 0);
        if (running > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(running).toBe(0);
    } finally {
      await client.close();
    }
  });

  it("fails with one line and no output file when the server fails mid-result", async () => {
    const { args } = loaded();
    const dir = await tempDir();
    const output = join(dir, "out.csv");
    const sql = "SELECT throwIf(number = 300000) AS x FROM system.numbers";
    const result = await cli("query", ...args, sql, "--limit", "0", "--output", output);
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(/^stackhouse: ClickHouse: Code: 395[^\n]*\n$/);
    expect(existsSync(output)).toBe(false);
  });

  it("prints every row the server sent before failing mid-result, then exits 7", async () => {
    const { args, host } = loaded();
    const sql = "SELECT number AS n FROM system.numbers WHERE throwIf(number = 300000) = 0";
    // What the server sends before its error, asked for over plain HTTP.
    const sent = await fetch(`${host}/?query=${encodeURIComponent(`${sql} FORMAT TSV`)}`);
    const lines = (await sent.text()).split("\n");
    const rows = lines.findIndex((line) => line.startsWith("Code: 395"));
    expect(rows).toBeGreaterThan(0);
    const result = await cli("query", ...args, sql, "--limit", "0");
    expect(result.code).toBe(7);
    expect(result.stdout.split("\n").slice(1, -1)).toEqual(lines.slice(0, rows));
  });
});

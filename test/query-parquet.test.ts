import { existsSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { generated } from "./helpers/deliveries.js";
import { ENGINES } from "./helpers/engines.js";
import { cli, cliOn, generatedWarehouse } from "./helpers/fixtures.js";
import { tempDir } from "./helpers/temp-dir.js";
import { queryRows } from "./helpers/warehouse-dump.js";

/** A Parquet file's schema and rows, as DuckDB (an independent reader) sees them. */
async function readParquet(path: string): Promise<{
  schema: [string, string][];
  rows: Record<string, unknown>[];
}> {
  const connection = await (await DuckDBInstance.create(":memory:")).connect();
  const file = `read_parquet('${path.replaceAll("'", "''")}')`;
  const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${file}`);
  const read = await connection.runAndReadAll(`SELECT * FROM ${file}`);
  const plain = (value: unknown): unknown => (typeof value === "bigint" ? Number(value) : value);
  return {
    schema: described
      .getRowObjects()
      .map((row) => [String(row.column_name), String(row.column_type)]),
    rows: read
      .getRowObjects()
      .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)]))),
  };
}

describe("stackhouse query --format parquet", () => {
  it("exports every row with its column types, as DuckDB reads them back", async () => {
    const { dir, db } = await generatedWarehouse();
    const output = join(dir, "posts.parquet");
    const sql = "SELECT * FROM posts ORDER BY id";
    const result = await cli("query", sql, "--db", db, "--format", "parquet", "--output", output);
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });

    const { schema, rows } = await readParquet(output);

    expect(rows).toEqual(queryRows(db, sql));
    expect(Object.fromEntries(schema)).toMatchObject({
      id: "BIGINT",
      score: "BIGINT",
      body: "VARCHAR",
      title: "VARCHAR",
      creation_date: "VARCHAR",
    });
    const weekly = join(dir, "weekly.parquet");
    await cli(
      "query",
      "SELECT * FROM weekly_votes_all_weeks",
      "--db",
      db,
      "--format",
      "parquet",
      "--output",
      weekly,
    );
    expect(Object.fromEntries((await readParquet(weekly)).schema)).toMatchObject({
      mean_votes_per_post: "DOUBLE",
      votes: "BIGINT",
    });
  });

  it("writes many row groups, exact 64-bit integers, blobs and NULL-only columns", async () => {
    const { dir, db } = await generatedWarehouse();
    const output = join(dir, "many.parquet");
    const sql = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 45000)
      SELECT i, i * 9007199254740 AS big, i / 3.0 AS third, 'row ' || i AS label,
        CASE WHEN i % 2 = 0 THEN x'00ff' END AS blob, NULL AS empty FROM n`;
    expect(
      (await cli("query", sql, "--db", db, "--format", "parquet", "--output", output)).code,
    ).toBe(0);

    const { schema, rows } = await readParquet(output);

    expect(schema).toEqual([
      ["i", "BIGINT"],
      ["big", "BIGINT"],
      ["third", "DOUBLE"],
      ["label", "VARCHAR"],
      ["blob", "BLOB"],
      ["empty", "VARCHAR"],
    ]);
    expect(rows).toHaveLength(45000);
    expect(rows[44999]).toMatchObject({
      i: 45000,
      big: 45000 * 9007199254740,
      label: "row 45000",
      empty: null,
    });
    expect(rows[44999]?.third).toBeCloseTo(15000, 9);
  });

  it("types real numbers as DOUBLE even when their first rows are whole, as SQLite stores them", async () => {
    const { dir, db } = await generatedWarehouse();
    const output = join(dir, "reals.parquet");
    // 25,000 rows: the first row group (20,000) holds only whole real numbers.
    const sql = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25000)
      SELECT i, CAST(CASE WHEN i > 20000 THEN 1.5 ELSE 1 END AS REAL) AS r, 2.0 AS whole FROM n`;
    const result = await cli("query", sql, "--db", db, "--format", "parquet", "--output", output);
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
    const { schema, rows } = await readParquet(output);
    expect(schema).toEqual([
      ["i", "BIGINT"],
      ["r", "DOUBLE"],
      ["whole", "DOUBLE"],
    ]);
    expect(rows[24999]).toEqual({ i: 25000, r: 1.5, whole: 2 });
  });

  it("refuses a value that does not fit its column's type, leaving no file, and a terminal", async () => {
    const { dir, db } = await generatedWarehouse();
    const output = join(dir, "mixed.parquet");
    const sql = "SELECT CASE WHEN id = 5 THEN 'five' ELSE id END AS mixed FROM votes ORDER BY id";
    const result = await cli("query", sql, "--db", db, "--format", "parquet", "--output", output);
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(
      /^stackhouse: row \d+, column mixed: .* does not fit a Parquet column of .*; CAST the column to one type\n$/,
    );
    expect(existsSync(output)).toBe(false);
    const screen = await cliOn(
      { terminal: true },
      "query",
      "SELECT 1",
      "--db",
      db,
      "--format",
      "parquet",
    );
    expect(screen).toMatchObject({
      code: 2,
      stderr:
        "stackhouse: --format parquet writes a binary file: give --output FILE, or redirect standard output\n",
    });
  });

  it.skipIf(!ENGINES.some((engine) => engine.name === "clickhouse"))(
    "exports a ClickHouse target's rows the same way",
    async () => {
      const clickhouse = ENGINES.find((engine) => engine.name === "clickhouse");
      if (clickhouse === undefined) throw new Error("no ClickHouse servers given");
      const dir = await tempDir();
      const warehouse = await clickhouse.fresh(dir);
      const delivery = await generated(dir);
      expect((await cli(...warehouse.args, delivery.posts, delivery.votes)).code).toBe(0);
      const output = join(dir, "votes.parquet");
      const sql = "SELECT * FROM votes ORDER BY id";
      const result = await cli(
        "query",
        ...warehouse.args,
        sql,
        "--format",
        "parquet",
        "--output",
        output,
      );
      expect(result).toEqual({ code: 0, stdout: "", stderr: "" });

      const { schema, rows } = await readParquet(output);

      expect(rows).toEqual(await warehouse.rows(sql));
      expect(Object.fromEntries(schema)).toMatchObject({ id: "BIGINT", creation_date: "VARCHAR" });
      const weekly = join(dir, "weekly.parquet");
      const weeks = "SELECT week_start, votes, mean_votes_per_post FROM weekly_votes_all_weeks";
      await cli("query", ...warehouse.args, weeks, "--format", "parquet", "--output", weekly);
      expect((await readParquet(weekly)).schema).toEqual([
        ["week_start", "VARCHAR"],
        ["votes", "BIGINT"],
        ["mean_votes_per_post", "DOUBLE"],
      ]);
    },
  );
});

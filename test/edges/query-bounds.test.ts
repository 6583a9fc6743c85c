import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_SQL_BYTES } from "../../src/query/query-text.js";
import { cli, fileWith, fixtureWarehouse } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";

const warehouse = fixtureWarehouse;

const ONE_LINE = /^stackhouse: [^\n]+\n$/;
const RUNAWAY =
  "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";
const rows = (count: number): string =>
  `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${String(count)}) SELECT x FROM c`;

describe("item 8: queries have bounds", () => {
  it("stops a runaway recursive CTE at --timeout, with exit 7, to stdout or a file, leaving no file", async () => {
    const { dir, db } = await warehouse();
    const output = join(dir, "out.csv");
    for (const where of [[], ["--output", output]]) {
      const result = await cli("query", RUNAWAY, "--db", db, "--timeout", "1", ...where);
      expect(result).toEqual({
        code: 7,
        stdout: "",
        stderr:
          "stackhouse: query stopped: no row came for 1 s (--timeout 1; raise it, or 0 for no limit)\n",
      });
    }
    expect(
      readdirSync(dir).filter((name) => name.startsWith(".out.csv") || name === "out.csv"),
    ).toEqual([]);
  });

  it("lets a query that keeps producing rows run past --timeout", async () => {
    const { db } = await warehouse();
    const result = await cli(
      "query",
      rows(1_000_000),
      "--db",
      db,
      "--limit",
      "0",
      "--timeout",
      "2",
    );
    expect(result.code).toBe(0);
    expect(result.stdout.endsWith("\n1000000\n")).toBe(true);
  });

  it("refuses /dev/zero as --file after reading 1 MiB, and any query text over 1 MiB", async () => {
    const { db } = await warehouse();
    const zero = await cli("query", "--file", "/dev/zero", "--db", db);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(ONE_LINE);
    expect(zero.stderr).toMatch(/^stackhouse: \/dev\/zero: the query is longer than 1048576 bytes/);
    const long = await cli("query", `SELECT 1 -- ${"x".repeat(MAX_SQL_BYTES)}`, "--db", db);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(ONE_LINE);
    const dir = await tempDir();
    const justUnder = await fileWith(
      dir,
      "q.sql",
      `SELECT 1 AS one -- ${"x".repeat(MAX_SQL_BYTES - 20)}`,
    );
    expect((await cli("query", "--file", justUnder, "--db", db)).stdout).toBe("one\n1\n");
  });

  it("prints --format table --limit 0 over 130,000 rows, aligned by the first rows", async () => {
    const { db } = await warehouse();
    const result = await cli(
      "query",
      rows(130_000),
      "--db",
      db,
      "--format",
      "table",
      "--limit",
      "0",
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const lines = result.stdout.split("\n");
    expect(lines.slice(0, 4)).toEqual(["   x", "----", "   1", "   2"]);
    expect(lines).toHaveLength(130_000 + 3);
    expect(lines.at(-2)).toBe("130000");
  });

  it("refuses SELECT zeroblob(300000000) with one line naming the row and column", async () => {
    const { dir, db } = await warehouse();
    for (const format of ["csv", "table"]) {
      const output = join(dir, `blob.${format}`);
      const sql = "SELECT 1 AS id, zeroblob(300000000) AS blob";
      const result = await cli("query", sql, "--db", db, "--format", format, "--output", output);
      expect(result.code, format).toBe(7);
      expect(result.stderr, format).toBe(
        "stackhouse: row 1, column blob holds a value of 300000000 bytes, more than query output takes (64 MiB a row); select a part of it, e.g. with substr() or length()\n",
      );
      expect(existsSync(output)).toBe(false);
    }
    const fits = await cli("query", "SELECT length(zeroblob(300000000)) AS n", "--db", db);
    expect(fits.stdout).toBe("n\n300000000\n");
  });

  it("writes nothing, not even the CSV header, for a query that fails on its first row", async () => {
    const { dir, db } = await warehouse();
    const sql = "SELECT id, abs(id - id - 9223372036854775807 - 1) AS overflow FROM votes";
    const output = join(dir, "out.csv");
    for (const format of ["csv", "json", "table", "ndjson"]) {
      expect(await cli("query", sql, "--db", db, "--format", format), format).toEqual({
        code: 7,
        stdout: "",
        stderr: "stackhouse: SQL error: integer overflow\n",
      });
      expect((await cli("query", sql, "--db", db, "--output", output)).code).toBe(7);
      expect(existsSync(output)).toBe(false);
    }
  });

  it("prints every row before a later failure, in every format, then exits 7", async () => {
    const { db } = await warehouse();
    // Rows 1 to 80 are good; row 81 overflows. Fewer rows than a batch or the table's first block.
    const sql = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200)
      SELECT x, CASE WHEN x > 80 THEN abs(-9223372036854775807 - 1) ELSE x END AS y FROM c`;
    const printed = {
      csv: (out: string) => out.split("\n").slice(1, -1),
      ndjson: (out: string) => out.split("\n").slice(0, -1),
      table: (out: string) => out.split("\n").slice(2, -1),
    };
    for (const [format, lines] of Object.entries(printed)) {
      const result = await cli("query", sql, "--db", db, "--format", format);
      expect(result.code, format).toBe(7);
      expect(result.stderr, format).toBe("stackhouse: SQL error: integer overflow\n");
      const rows = lines(result.stdout);
      expect(rows, format).toHaveLength(80);
      expect(rows.at(-1), format).toMatch(/\b80\D+80\b/);
    }
  });

  it("streams an export of every row to a file, the same rows as a bounded read", async () => {
    const { dir, db } = await warehouse();
    const output = join(dir, "all.ndjson");
    const result = await cli(
      "query",
      rows(250_000),
      "--db",
      db,
      "--limit",
      "0",
      "--format",
      "ndjson",
      "--output",
      output,
    );
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
    const lines = readFileSync(output, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(250_000);
    expect(lines[0]).toBe('{"x":1}');
    expect(lines.at(-1)).toBe('{"x":250000}');
  });
});

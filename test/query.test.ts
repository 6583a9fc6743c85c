import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, cliOn, fileWith, fixtureWarehouse, generatedWarehouse } from "./helpers/fixtures.js";
import { dumpWarehouse } from "./helpers/warehouse-dump.js";

const warehouse = fixtureWarehouse;

const WEEKS = "SELECT week_start, votes, mean_votes_per_post FROM weekly_votes ORDER BY week_start";

describe("stackhouse query", () => {
  it("refuses anything that writes, with its one line and exit 7, and changes nothing", async () => {
    const { dir, db } = await warehouse();
    const before = dumpWarehouse(db);
    for (const sql of [
      "DELETE FROM votes",
      "UPDATE posts SET score = 0",
      "INSERT INTO vote_types VALUES (99, 'x')",
      "DROP TABLE votes",
      "DROP VIEW votes_all",
      "CREATE INDEX i ON posts (id)",
      "ALTER TABLE posts RENAME TO p2",
      "ALTER TABLE posts ADD COLUMN z",
      "CREATE TRIGGER t BEFORE DELETE ON posts BEGIN SELECT 1; END",
      "DELETE FROM sqlite_master",
      "/* a comment */ DELETE FROM no_such_table",
      "CREATE TABLE t (x)",
      "PRAGMA user_version = 99",
      `ATTACH '${join(dir, "other.db")}' AS other`,
      "VACUUM",
      "WITH gone AS (SELECT 1) DELETE FROM votes",
    ]) {
      expect(await cli("query", sql, "--db", db), sql).toEqual({
        code: 7,
        stdout: "",
        stderr:
          "stackhouse: only queries that read are allowed (SELECT, WITH ... SELECT, VALUES); this statement would change the warehouse or returns nothing\n",
      });
    }
    expect(dumpWarehouse(db)).toEqual(before);
    expect(existsSync(join(dir, "other.db"))).toBe(false);
  });

  it("shows SQL errors as one line", async () => {
    const { db } = await warehouse();
    expect(await cli("query", "SELEC 1", "--db", db)).toEqual({
      code: 7,
      stdout: "",
      stderr: 'stackhouse: SQL error: near "SELEC": syntax error\n',
    });
    const missing = await cli("query", "SELECT nope FROM votes", "--db", db);
    expect(missing.stderr).toBe("stackhouse: SQL error: no such column: nope\n");
    const two = await cli("query", "SELECT 1; SELECT 2", "--db", db);
    expect(two.code).toBe(7);
  });

  it("writes CSV (the default off a terminal), JSON, NDJSON and an aligned table", async () => {
    const { db } = await warehouse();
    expect((await cli("query", WEEKS, "--db", db)).stdout).toBe(
      "week_start,votes,mean_votes_per_post\n2019-01-07,5,1.6666666666666667\n2019-01-14,3,1\n2019-01-21,1,1\n",
    );
    const json = await cli("query", WEEKS, "--db", db, "--format", "json");
    expect(JSON.parse(json.stdout)).toEqual([
      { week_start: "2019-01-07", votes: 5, mean_votes_per_post: 5 / 3 },
      { week_start: "2019-01-14", votes: 3, mean_votes_per_post: 1 },
      { week_start: "2019-01-21", votes: 1, mean_votes_per_post: 1 },
    ]);
    const ndjson = await cli("query", WEEKS, "--db", db, "--format", "ndjson");
    expect(
      ndjson.stdout
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual(JSON.parse(json.stdout));
    const table = await cli(
      "query",
      "SELECT id, title, closed_date FROM posts WHERE id IN (1, 2)",
      "--db",
      db,
      "--format",
      "table",
    );
    expect(table.stdout).toBe(
      [
        "id  title           closed_date",
        "--  --------------  -----------",
        " 1  Pinning images  NULL",
        " 2  NULL            NULL",
        "",
      ].join("\n"),
    );
    const quoted = await cli("query", "SELECT 'a,\"b\"' AS text, NULL AS missing", "--db", db);
    expect(quoted.stdout).toBe('text,missing\n"a,""b""",\n');
    const empty = await cli(
      "query",
      "SELECT * FROM votes WHERE id < 0",
      "--db",
      db,
      "--format",
      "json",
    );
    expect(empty.stdout).toBe("[]\n");
  });

  it("cuts long results at --limit with a note on stderr", async () => {
    const { db } = await warehouse();
    const cut = await cli("query", "SELECT id FROM votes ORDER BY id", "--db", db, "--limit", "2");
    expect(cut.stdout).toBe("id\n1\n2\n");
    expect(cut.stderr).toBe(
      "note: showing the first 2 rows; more were cut (--limit 0 shows all)\n",
    );
    const all = await cli("query", "SELECT id FROM votes", "--db", db, "--limit", "0");
    expect(all.stdout.trimEnd().split("\n")).toHaveLength(10);
    expect(all.stderr).toBe("");
  });

  it("never cuts an export: files and pipes get every row; only a terminal is cut at 1,000", async () => {
    const { dir, db } = await generatedWarehouse();
    const twice = "SELECT v.* FROM votes AS v CROSS JOIN (SELECT 1 UNION ALL SELECT 2)";
    const count = await cli("query", `SELECT count(*) AS n FROM (${twice})`, "--db", db);
    const total = Number(count.stdout.split("\n")[1]);
    expect(total).toBeGreaterThan(1000);
    const piped = await cli("query", twice, "--db", db);
    expect(piped.stdout.trimEnd().split("\n")).toHaveLength(total + 1);
    expect(piped.stderr).toBe("");
    const output = join(dir, "votes.csv");
    const file = await cliOn({ terminal: true }, "query", twice, "--db", db, "--output", output);
    expect(file.stderr).toBe("");
    expect(readFileSync(output, "utf8").trimEnd().split("\n")).toHaveLength(total + 1);
    const screen = await cliOn({ terminal: true }, "query", twice, "--db", db);
    expect(screen.stdout.trimEnd().split("\n")).toHaveLength(1000 + 2);
    expect(screen.stderr).toBe(
      "note: showing the first 1000 rows; more were cut (--limit 0 shows all)\n",
    );
  });

  it("reads the query from --file and writes the rows to --output", async () => {
    const { dir, db } = await warehouse();
    const file = await fileWith(dir, "q.sql", `-- weekly answer\n${WEEKS};\n`);
    const output = join(dir, "out.json");
    const result = await cli(
      "query",
      "--file",
      file,
      "--output",
      output,
      "--format",
      "json",
      "--db",
      db,
    );
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(JSON.parse(readFileSync(output, "utf8"))).toHaveLength(3);
    expect((await cli("query", "--db", db)).code).toBe(2);
    expect((await cli("query", "SELECT 1", "--file", file, "--db", db)).code).toBe(2);
  });

  it("says how SQLite writes the SQL Server forms a --sede query fails on", async () => {
    const { db } = await warehouse();
    const top = await cli("query", "--sede", "SELECT TOP 5 Id FROM Posts", "--db", db);
    expect(top).toEqual({
      code: 7,
      stdout: "",
      stderr:
        'stackhouse: SQL error: near "5": syntax error (SQL Server\'s SELECT TOP 5 is LIMIT 5 at the end in SQLite)\n',
    });
    const both = await cli(
      "query",
      "--sede",
      "SELECT Id FROM Posts WHERE CreationDate > DATEADD(day, -7, GETDATE())",
      "--db",
      db,
    );
    expect(both.stderr).toMatch(
      /\(SQL Server's GETDATE\(\) is datetime\('now'\) in SQLite; SQL Server's DATEADD/,
    );
    const plain = await cli("query", "SELECT TOP 5 id FROM posts", "--db", db);
    expect(plain.stderr).toBe('stackhouse: SQL error: near "5": syntax error\n');
  });

  it("runs Stack Exchange Data Explorer queries unchanged with --sede", async () => {
    const { db } = await warehouse();
    const sede = `SELECT p.Id, p.Title, COUNT(v.Id) AS Votes, vt.Name AS FirstVoteType
      FROM Posts p
      JOIN Votes v ON v.PostId = p.Id
      JOIN VoteTypes vt ON vt.Id = (SELECT MIN(VoteTypeId) FROM Votes WHERE PostId = p.Id)
      WHERE p.PostTypeId = (SELECT Id FROM PostTypes WHERE Name = 'Question')
      GROUP BY p.Id, p.Title ORDER BY Votes DESC`;
    const result = await cli("query", sede, "--sede", "--db", db, "--format", "json");
    expect(JSON.parse(result.stdout)).toEqual([
      { Id: 1, Title: "Pinning images", Votes: 3, FirstVoteType: "UpMod" },
      { Id: 4, Title: "State lock", Votes: 1, FirstVoteType: "BountyStart" },
    ]);
    const tags = `SELECT t.TagName, COUNT(*) AS Posts FROM Tags t JOIN PostTags pt ON pt.TagId = t.Id
      GROUP BY t.TagName ORDER BY t.TagName`;
    expect((await cli("query", tags, "--sede", "--db", db)).stdout).toBe(
      "TagName,Posts\nci,1\ndocker,1\nterraform,1\n",
    );
    const columns = await cli("query", "SELECT * FROM Posts LIMIT 0", "--sede", "--db", db);
    expect(columns.stdout.trim().split(",")).toContain("LastEditorDisplayName");
    expect((await cli("query", "SELECT CreationDate FROM Posts", "--db", db)).code).toBe(7);
  });
});

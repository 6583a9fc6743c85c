import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { workedQuestions } from "../../src/serve/docs-catalog.js";
import type { QueryPage } from "../../src/serve/query-api.js";
import type { SchemaTable } from "../../src/serve/schema-api.js";
import { generated } from "../helpers/deliveries.js";
import { ENGINES, type Engine, type TestWarehouse } from "../helpers/engines.js";
import { cli } from "../helpers/fixtures.js";
import { queryPath, serveWarehouse, SQLITE_RUNAWAY, type TestServer } from "../helpers/serve.js";
import { tempDir } from "../helpers/temp-dir.js";

/** A fresh warehouse of the engine, loaded with the small generated delivery. */
async function loaded(engine: Engine): Promise<TestWarehouse> {
  const dir = await tempDir();
  const warehouse = await engine.fresh(join(dir, "warehouse"));
  const { posts, votes } = await generated(dir);
  const result = await cli(...warehouse.args, posts, votes, "--no-checks");
  expect(result.code, result.stderr).toBe(0);
  return warehouse;
}

async function json<T>(server: TestServer, path: string): Promise<T> {
  const reply = await server.get(path);
  expect(reply.status, reply.text).toBe(200);
  return JSON.parse(reply.text) as T;
}

/** Statements that would change the warehouse, as each engine's SQL spells them. */
const WRITES: Readonly<Record<Engine["name"], readonly string[]>> = {
  sqlite: [
    "DELETE FROM votes_all",
    "UPDATE posts_all SET score = 0",
    "DROP TABLE loads",
    "CREATE TABLE extra (a INTEGER)",
    "INSERT INTO loads SELECT * FROM loads",
    "PRAGMA user_version = 99",
    "VACUUM",
  ],
  clickhouse: [
    "DROP TABLE loads",
    "TRUNCATE TABLE votes_all",
    "CREATE TABLE extra (a Int8) ENGINE = Memory",
    "INSERT INTO loads SELECT * FROM loads",
    "ALTER TABLE posts_all DELETE WHERE 1",
  ],
};

/** A query that computes for ever before its one row: each engine's runaway. */
const RUNAWAY: Readonly<Record<Engine["name"], string>> = {
  sqlite: SQLITE_RUNAWAY.silent,
  clickhouse: "SELECT count() FROM system.numbers",
};

describe.each(ENGINES)("stackhouse serve's API on $name", (engine) => {
  it("pages a JSON answer, each page linking the next, and the pages add up to the whole result", async () => {
    const warehouse = await loaded(engine);
    const server = await serveWarehouse(warehouse, { pageRows: 150 });
    const sql = "SELECT id, post_id FROM votes ORDER BY id";
    const pages: QueryPage[] = [];
    for (let next: string | null = queryPath(sql); next !== null;) {
      const page: QueryPage = await json<QueryPage>(server, next);
      pages.push(page);
      next = page.next;
    }
    const all = pages.flatMap((page) => page.rows);
    const expected = (await warehouse.rows(sql)).map((row) => [row.id, row.post_id]);
    expect(all).toEqual(expected);
    expect(pages.length).toBe(Math.ceil(expected.length / 150));
    expect(pages.slice(0, -1).every((page) => page.more && page.rows.length === 150)).toBe(true);
    expect(pages.at(-1)?.more).toBe(false);
    expect(pages.map((page) => page.first_row)).toEqual(pages.map((_, index) => index * 150 + 1));
  });

  it("streams the whole result as CSV, NDJSON, a JSON array and Parquet, as `query` writes them", async () => {
    const warehouse = await loaded(engine);
    const server = await serveWarehouse(warehouse, { pageRows: 10 });
    const sql = "SELECT * FROM votes ORDER BY id";
    const votes = (await warehouse.rows("SELECT count(*) AS n FROM votes"))[0]?.n;
    const csv = await server.get(queryPath(sql, { format: "csv", download: "1" }));
    expect(csv.status).toBe(200);
    expect(csv.headers["content-disposition"]).toBe('attachment; filename="stackhouse-query.csv"');
    expect(csv.text).toBe((await cli("query", sql, ...warehouse.args, "--format", "csv")).stdout);
    expect(csv.text.trimEnd().split("\n")).toHaveLength(Number(votes) + 1);

    const ndjson = await server.get(queryPath(sql, { format: "ndjson" }));
    expect(ndjson.text).toBe(
      (await cli("query", sql, ...warehouse.args, "--format", "ndjson")).stdout,
    );
    const array = await server.get(queryPath(sql, { format: "json", download: "1" }));
    expect(JSON.parse(array.text)).toHaveLength(Number(votes));

    const parquet = await server.get(queryPath(sql, { format: "parquet", download: "1" }));
    expect(parquet.headers["content-type"]).toBe("application/vnd.apache.parquet");
    const file = join(await tempDir(), "votes.parquet");
    await writeFile(file, parquet.body);
    const duck = await (await DuckDBInstance.create(":memory:")).connect();
    const read = await duck.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${file}')`);
    expect(Number(read.getRowObjects()[0]?.n)).toBe(Number(votes));
  });

  it("refuses every statement that writes, as JSON with status 400, and the warehouse is unchanged", async () => {
    const warehouse = await loaded(engine);
    const server = await serveWarehouse(warehouse);
    const before = await warehouse.dump();
    for (const sql of WRITES[engine.name]) {
      for (const format of ["json", "csv"]) {
        const reply = await server.get(queryPath(sql, { format }));
        expect(reply.status, `${sql}: ${reply.text}`).toBe(400);
        const body = JSON.parse(reply.text) as { error: string; code: string };
        expect(body.code).toBe("QUERY_FAILED");
        expect(body.error).not.toMatch(/\n|\bat .+:\d+:\d+/);
      }
    }
    expect(await warehouse.dump()).toEqual(before);
  });

  it("stops a runaway query at the time limit, and answers other requests meanwhile", async () => {
    const warehouse = await loaded(engine);
    // 4 s: enough for the count's own child process to start while other test files run.
    const server = await serveWarehouse(warehouse, { timeoutSeconds: 4 });
    const order: string[] = [];
    const runaway = server.get(queryPath(RUNAWAY[engine.name])).then((reply) => {
      order.push("runaway");
      return reply;
    });
    const count = await server.get(queryPath("SELECT count(*) AS n FROM posts"));
    order.push("count");
    expect(count.status).toBe(200);
    const stopped = await runaway;
    expect(order).toEqual(["count", "runaway"]);
    expect(stopped.status).toBe(400);
    expect(JSON.parse(stopped.text)).toMatchObject({ code: "QUERY_FAILED" });
    expect(stopped.text).toContain("query stopped: its page was not ready within 4 s");
    expect((await server.get(queryPath("SELECT 1 AS one"))).status).toBe(200);
    if (engine.name === "clickhouse") {
      // Killed on the server too, not only abandoned by the client.
      const left = async (): Promise<unknown> =>
        (
          await warehouse.rows(
            "SELECT count() AS n FROM system.processes WHERE query LIKE '%system.numbers%' AND query NOT LIKE '%system.processes%'",
          )
        )[0]?.n;
      for (let tries = 0; (await left()) !== 0 && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(await left()).toBe(0);
    }
  });

  it("lists every table with its columns and the data dictionary's descriptions", async () => {
    const warehouse = await loaded(engine);
    const server = await serveWarehouse(warehouse);
    const tables = await json<SchemaTable[]>(server, "/api/schema");
    const posts = tables.find((table) => table.name === "posts");
    expect(posts?.documented).toBe(true);
    expect(posts?.description).toContain("One row per live post");
    expect(posts?.columns.find((column) => column.name === "score")).toMatchObject({
      description: "Up votes minus down votes, as of the delivery.",
    });
    for (const name of ["votes", "weekly_votes", "weekly_votes_all_weeks", "loads", "weeks"]) {
      const table = tables.find((candidate) => candidate.name === name);
      expect(table?.documented, name).toBe(true);
      expect(
        table?.columns.every((column) => column.type !== "" && column.description !== ""),
      ).toBe(true);
    }
    const documented = tables.filter((table) => table.documented).map((table) => table.name);
    expect(documented.indexOf("posts")).toBeLessThan(documented.indexOf("loads"));
  });

  it("serves the weekly answer as its own page, with its scripts linked, not inline", async () => {
    const warehouse = await loaded(engine);
    const server = await serveWarehouse(warehouse);
    const page = await server.get("/weekly");
    expect(page.status).toBe(200);
    expect(page.text).toContain("per voted post: votes / posts voted that week");
    expect(page.text).toContain("per live post: votes / posts existing by the week's end");
    expect(page.text).not.toMatch(/<script>|<style>/);
    for (const asset of page.text.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
      expect((await server.get(asset[1] ?? "")).status, asset[1]).toBe(200);
    }
  });
});

describe.each(ENGINES)("the worked questions on the page on $name", (engine) => {
  it("are those of docs/questions.md in the engine's dialect, and each answers with rows", async () => {
    const warehouse = await loaded(engine);
    const server = await serveWarehouse(warehouse);
    const examples = await json<{ title: string; sql: string }[]>(server, "/api/examples");
    const page = readFileSync(new URL("../../docs/questions.md", import.meta.url), "utf8");
    const expected = workedQuestions(page).map(({ title, sql, clickhouse }) => ({
      title,
      sql: engine.name === "clickhouse" ? (clickhouse ?? sql) : sql,
    }));
    expect(examples).toEqual(expected);
    expect(examples.length).toBeGreaterThanOrEqual(8);
    for (const example of examples) {
      const answer = await json<QueryPage>(server, queryPath(example.sql));
      expect(answer.rows.length, example.title).toBeGreaterThan(0);
    }
  });
});

describe.runIf(ENGINES.length > 1)("the same delivery served from each engine", () => {
  it("gives the same answers to the same queries, the worked questions among them", async () => {
    const queries = [
      "SELECT count(*) AS posts, sum(score) AS score FROM posts",
      "SELECT vote_type_id, count(*) AS votes FROM votes GROUP BY vote_type_id ORDER BY vote_type_id",
      "SELECT week_start, votes, posts_voted, posts_live, is_partial FROM weekly_votes_all_weeks ORDER BY week_start",
      "SELECT week_start, round(mean_votes_per_post, 6) AS mean FROM weekly_votes ORDER BY week_start",
      "SELECT id, title, tags FROM posts WHERE post_type_id = 1 ORDER BY id LIMIT 20",
    ];
    const answers = await Promise.all(
      ENGINES.map(async (engine) => {
        const server = await serveWarehouse(await loaded(engine), { pageRows: 1000 });
        const examples = await json<{ title: string; sql: string }[]>(server, "/api/examples");
        // Where the numbers came from names the file and the time of the load: not the same.
        const sameData = examples.filter((example) => !example.title.includes("delivery"));
        const pages = [];
        for (const sql of [...queries, ...sameData.map((example) => example.sql)]) {
          const { columns, rows, more } = await json<QueryPage>(server, queryPath(sql));
          pages.push({ columns, rows, more });
        }
        return pages;
      }),
    );
    expect(answers[0]?.every((answer) => answer.rows.length > 0)).toBe(true);
    for (const other of answers.slice(1)) expect(other).toEqual(answers[0]);
  });
});

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ingest } from "../../src/run/ingest.js";
import { ENGINES } from "../helpers/engines.js";
import { cli, fileWith } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { queryRows } from "../helpers/warehouse-dump.js";

/** A valid post record's JSON text. */
function post(id: number): string {
  return JSON.stringify({
    Id: String(id),
    PostTypeId: "1",
    CreationDate: "2019-01-01T00:00:00.000",
    Score: "1",
    Body: "<p>b</p>",
    LastActivityDate: "2019-01-02T00:00:00.000",
    CommentCount: "0",
    ContentLicense: "CC BY-SA 4.0",
  });
}

/** Posts 1..count in the supplier's layout, record `at` given an unknown key nested `depth` deep. */
function postsWithDeepRecord(count: number, at: number, depth: number, invalid: boolean): string {
  const lines = Array.from({ length: count }, (_, index) => {
    const id = index + 1;
    if (id !== at) return post(id);
    const text = invalid ? post(id).replace('"Score":"1"', '"Score":"one"') : post(id);
    return `${text.slice(0, -1)},"Nested":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`;
  });
  return `[${lines.join("\n,")}]\n`;
}

describe("item 1: a record nested thousands deep among valid posts", () => {
  it.each([
    { count: 18_000, depth: 3_000, invalid: true },
    { count: 200, depth: 3_000, invalid: true },
    { count: 200, depth: 100_000, invalid: true },
    { count: 200, depth: 100_000, invalid: false },
  ])(
    "loses no valid post: $count posts, depth $depth, invalid $invalid",
    async ({ count, depth, invalid }) => {
      const dir = await tempDir();
      const db = join(dir, "w.db");
      const at = Math.ceil(count / 2);
      const posts = await fileWith(
        dir,
        "posts.json",
        postsWithDeepRecord(count, at, depth, invalid),
      );
      const votes = await fileWith(dir, "votes.json", "[]");

      const result = await cli("--db", db, posts, votes, "--json", "--no-checks");

      expect(result.stderr).not.toContain("internal error");
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as {
        files: { read: number; inserted: number; rejected: number }[];
      };
      expect(report.files[0]).toMatchObject({
        read: count,
        inserted: invalid ? count - 1 : count,
        rejected: invalid ? 1 : 0,
      });
      expect(queryRows(db, "SELECT count(*) AS n FROM posts")).toEqual([
        { n: invalid ? count - 1 : count },
      ]);
      const quarantined = queryRows(db, "SELECT record_number, reason FROM rejected_records");
      expect(quarantined).toEqual(
        invalid ? [{ record_number: at, reason: 'Score: "one" is not an integer' }] : [],
      );
    },
  );
});

const clickhouse = ENGINES.find((engine) => engine.name === "clickhouse");

describe.skipIf(clickhouse === undefined)("item 1 on ClickHouse", () => {
  it("loses no valid post either", async () => {
    const dir = await tempDir();
    if (clickhouse === undefined) throw new Error("no ClickHouse servers given");
    const warehouse = await clickhouse.fresh(dir);
    const posts = await fileWith(dir, "posts.json", postsWithDeepRecord(200, 100, 3_000, true));
    const votes = await fileWith(dir, "votes.json", "[]");
    try {
      const report = await ingest({
        warehouse: warehouse.destination,
        posts,
        votes,
        checks: false,
      });
      expect(report.files[0]).toMatchObject({ read: 200, inserted: 199, rejected: 1 });
      expect(await warehouse.rows("SELECT count() AS n FROM posts")).toEqual([{ n: 199 }]);
      expect(await warehouse.rows("SELECT record_number, reason FROM rejected_records")).toEqual([
        { record_number: 100, reason: 'Score: "one" is not an integer' },
      ]);
    } finally {
      await warehouse.drop();
    }
  });
});

describe("item 1: a known field nested deep", () => {
  it("is quarantined with a short reason, not a stack trace", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    const deep = post(2).replace(
      '"Body":"<p>b</p>"',
      `"Body":${"[".repeat(100_000)}${"]".repeat(100_000)}`,
    );
    const posts = await fileWith(dir, "posts.json", `[${[post(1), deep, post(3)].join("\n,")}]\n`);
    const votes = await fileWith(dir, "votes.json", "[]");

    const result = await cli("--db", db, posts, votes, "--max-rejected", "50%", "--no-checks");

    expect(result.code).toBe(0);
    expect(queryRows(db, "SELECT record_number, reason FROM rejected_records")).toEqual([
      { record_number: 2, reason: "Body: an array is not a string" },
    ]);
  });
});

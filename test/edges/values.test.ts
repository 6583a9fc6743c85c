import { isUtf8 } from "node:buffer";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { ENGINES, type Engine, type TestWarehouse } from "../helpers/engines.js";
import { cli, fileWith, fixtureDelivery } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";

/** A valid post's JSON text with `extra` (raw JSON members) appended. */
const post = (id: number, extra = ""): string =>
  `{"Id":"${String(id)}","PostTypeId":"1","CreationDate":"2019-01-07T10:00:00.000","Score":"0",` +
  `"Body":"<p>b</p>","LastActivityDate":"2019-01-08T09:00:00.000","CommentCount":"0",` +
  `"ContentLicense":"CC BY-SA 4.0"${extra}}`;

/** A posts file: 200 valid posts, then `bad` (so the 5% threshold is not reached). */
function postsWith(...bad: string[]): string {
  const good = Array.from({ length: 200 }, (_, index) => post(1000 + index, ',"Tags":"<ok>"'));
  return `[${[...good, ...bad].join("\n,")}\n]`;
}

/** Ingests 200 good posts and `bad` with the fixture votes; returns the warehouse. */
async function ingestPosts(engine: Engine, ...bad: string[]): Promise<TestWarehouse> {
  const dir = await tempDir();
  const warehouse = await engine.fresh(dir);
  const { votes } = await fixtureDelivery(dir);
  const posts = await fileWith(dir, "posts.json", postsWith(...bad));
  const result = await cli(...warehouse.args, posts, votes);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return warehouse;
}

const reasons = (warehouse: TestWarehouse): Promise<unknown> =>
  warehouse.rows("SELECT record_number, reason FROM rejected_records ORDER BY record_number");

/** Every text value of every table the warehouse stores that is not valid UTF-8, as `table.column`. */
function invalidUtf8Texts(engine: Engine, warehouse: TestWarehouse): Promise<string[]> {
  return engine.name === "sqlite"
    ? Promise.resolve(invalidSqliteTexts(warehouse.args[warehouse.args.indexOf("--db") + 1] ?? ""))
    : invalidClickHouseTexts(warehouse);
}

/** Every TEXT value of every table, as the bytes SQLite stores, that is not valid UTF-8. */
function invalidSqliteTexts(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[];
    return tables.flatMap((table) => {
      const columns = db
        .prepare("SELECT name FROM pragma_table_info(?) WHERE type = 'TEXT'")
        .pluck()
        .all(table) as string[];
      return columns.flatMap((column) => {
        const stored = db
          .prepare(`SELECT CAST("${column}" AS BLOB) FROM "${table}" WHERE "${column}" IS NOT NULL`)
          .pluck()
          .all() as Buffer[];
        return stored.filter((bytes) => !isUtf8(bytes)).map(() => `${table}.${column}`);
      });
    });
  } finally {
    db.close();
  }
}

/**
 * Every String value of every table, as the bytes ClickHouse stores, that is not valid UTF-8: the
 * records through their Distributed tables (both shards), the rest on the server that holds them.
 */
async function invalidClickHouseTexts(warehouse: TestWarehouse): Promise<string[]> {
  const here = "database = currentDatabase()";
  const tables = await warehouse.rows(`SELECT name, engine FROM system.tables WHERE ${here}`);
  const sharded = new Set(
    tables
      .filter((table) => table.engine === "Distributed")
      .map((table) => `${String(table.name)}_local`),
  );
  const columns = await warehouse.rows(
    `SELECT table, name, type FROM system.columns WHERE ${here} AND type LIKE '%String%'`,
  );
  const invalid: string[] = [];
  for (const { name: table, engine } of tables) {
    if (engine === "View" || sharded.has(String(table))) continue;
    const texts = columns.filter((column) => column.table === table);
    if (texts.length === 0) continue;
    // Joined with an ASCII comma, an array's strings are valid UTF-8 exactly when each one is.
    const bytes = texts.map(({ name, type }, index) => {
      const text = String(type).startsWith("Array(")
        ? `arrayStringConcat(${String(name)}, ',')`
        : String(name);
      return `hex(${text}) AS c${String(index)}`;
    });
    const rows = await warehouse.rows(`SELECT ${bytes.join(", ")} FROM ${String(table)}`);
    for (const row of rows) {
      texts.forEach(({ name }, index) => {
        const hex = row[`c${String(index)}`];
        if (hex !== null && (typeof hex !== "string" || !isUtf8(Buffer.from(hex, "hex")))) {
          invalid.push(`${String(table)}.${String(name)}`);
        }
      });
    }
  }
  return invalid;
}

describe.each(ENGINES)(
  "values that would change silently (issue 11, item 7), on $name",
  (engine) => {
    it("quarantines a lone surrogate, so every stored text stays valid UTF-8", async () => {
      const warehouse = await ingestPosts(
        engine,
        post(7, ',"Title":"a\\ud800b"'),
        post(8).replace('"<p>b</p>"', '"<p>\\udc00</p>"'),
        post(9, ',"Title":"\\ud83d\\ude00 is a pair"'),
        post(10, ',"X\\ud800":"an unknown key with a lone surrogate"'),
      );
      expect(await reasons(warehouse)).toEqual([
        {
          record_number: 201,
          reason: 'Title: contains a lone surrogate "\\ud800", which is not valid Unicode',
        },
        {
          record_number: 202,
          reason: 'Body: contains a lone surrogate "\\udc00", which is not valid Unicode',
        },
      ]);
      expect(
        await warehouse.rows("SELECT id, title FROM posts WHERE id BETWEEN 7 AND 10 ORDER BY id"),
      ).toEqual([
        { id: 9, title: "😀 is a pair" },
        { id: 10, title: null },
      ]);
      expect(await warehouse.rows("SELECT key, records FROM load_unknown_keys")).toEqual([
        { key: "X\\ud800", records: 1 },
      ]);
      expect(await invalidUtf8Texts(engine, warehouse)).toEqual([]);
    });

    // The validator refuses the record, whatever the engine; a quarantined record is checked on
    // each engine by the tests around.
    if (engine.name === "sqlite") {
      it("quarantines a record that gives Id twice", async () => {
        const warehouse = await ingestPosts(engine, post(7, ',"Id":"8"'));
        expect(await reasons(warehouse)).toEqual([
          { record_number: 201, reason: "Id: given twice in one record" },
        ]);
        expect(await warehouse.rows("SELECT count(*) AS n FROM posts WHERE id IN (7, 8)")).toEqual([
          { n: 0 },
        ]);
      });
    }

    // The validator refuses the record, whatever the engine; a quarantined record is checked on
    // each engine by the tests around.
    if (engine.name === "sqlite") {
      it("quarantines a record that gives ContentLicense under both spellings", async () => {
        const warehouse = await ingestPosts(engine, post(7, ',"ContentLIcense":"CC BY-SA 3.0"'));
        expect(await reasons(warehouse)).toEqual([
          {
            record_number: 201,
            reason:
              "ContentLicense: given twice in one record (as ContentLicense and ContentLIcense)",
          },
        ]);
        expect(await warehouse.rows("SELECT count(*) AS n FROM posts WHERE id = 7")).toEqual([
          { n: 0 },
        ]);
      });
    }

    it("quarantines tags that are not a list of tags, rather than losing some", async () => {
      const warehouse = await ingestPosts(
        engine,
        post(7, ',"Tags":"<a><b"'),
        post(8, ',"Tags":"<a<b>>"'),
        post(9, ',"Tags":"<c><d>"'),
        post(10, ',"Tags":"|e|f|"'),
      );
      expect(await reasons(warehouse)).toEqual([
        { record_number: 201, reason: 'Tags: "<a><b" is not a list of tags like <a><b> or |a|b|' },
        { record_number: 202, reason: 'Tags: "<a<b>>" is not a list of tags like <a><b> or |a|b|' },
      ]);
      expect(
        await warehouse.rows(
          "SELECT post_id, tag FROM post_tags WHERE tag <> 'ok' ORDER BY post_id, tag",
        ),
      ).toEqual([
        { post_id: 9, tag: "c" },
        { post_id: 9, tag: "d" },
        { post_id: 10, tag: "e" },
        { post_id: 10, tag: "f" },
      ]);
    });
  },
);

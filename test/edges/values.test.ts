import { isUtf8 } from "node:buffer";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { cli, fileWith, fixtureDelivery } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { queryRows } from "../helpers/warehouse-dump.js";

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
async function ingestPosts(...bad: string[]): Promise<string> {
  const dir = await tempDir();
  const db = join(dir, "w.db");
  const { votes } = await fixtureDelivery(dir);
  const posts = await fileWith(dir, "posts.json", postsWith(...bad));
  const result = await cli("--db", db, posts, votes);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return db;
}

const reasons = (db: string): unknown =>
  queryRows(db, "SELECT record_number, reason FROM rejected_records ORDER BY record_number");

/** Every TEXT value of every table, as the bytes SQLite stores, that is not valid UTF-8. */
function invalidUtf8Texts(path: string): string[] {
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

describe("values that would change silently (issue 11, item 7)", () => {
  it("quarantines a lone surrogate, so every stored text stays valid UTF-8", async () => {
    const db = await ingestPosts(
      post(7, ',"Title":"a\\ud800b"'),
      post(8).replace('"<p>b</p>"', '"<p>\\udc00</p>"'),
      post(9, ',"Title":"\\ud83d\\ude00 is a pair"'),
      post(10, ',"X\\ud800":"an unknown key with a lone surrogate"'),
    );
    expect(reasons(db)).toEqual([
      {
        record_number: 201,
        reason: 'Title: contains a lone surrogate "\\ud800", which is not valid Unicode',
      },
      {
        record_number: 202,
        reason: 'Body: contains a lone surrogate "\\udc00", which is not valid Unicode',
      },
    ]);
    expect(queryRows(db, "SELECT id, title FROM posts WHERE id BETWEEN 7 AND 10")).toEqual([
      { id: 9, title: "😀 is a pair" },
      { id: 10, title: null },
    ]);
    expect(queryRows(db, "SELECT key, records FROM load_unknown_keys")).toEqual([
      { key: "X\\ud800", records: 1 },
    ]);
    expect(invalidUtf8Texts(db)).toEqual([]);
  });

  it("quarantines a record that gives Id twice", async () => {
    const db = await ingestPosts(post(7, ',"Id":"8"'));
    expect(reasons(db)).toEqual([{ record_number: 201, reason: "Id: given twice in one record" }]);
    expect(queryRows(db, "SELECT count(*) AS n FROM posts WHERE id IN (7, 8)")).toEqual([{ n: 0 }]);
  });

  it("quarantines a record that gives ContentLicense under both spellings", async () => {
    const db = await ingestPosts(post(7, ',"ContentLIcense":"CC BY-SA 3.0"'));
    expect(reasons(db)).toEqual([
      {
        record_number: 201,
        reason: "ContentLicense: given twice in one record (as ContentLicense and ContentLIcense)",
      },
    ]);
    expect(queryRows(db, "SELECT count(*) AS n FROM posts WHERE id = 7")).toEqual([{ n: 0 }]);
  });

  it("quarantines tags that are not a list of tags, rather than losing some", async () => {
    const db = await ingestPosts(
      post(7, ',"Tags":"<a><b"'),
      post(8, ',"Tags":"<a<b>>"'),
      post(9, ',"Tags":"<c><d>"'),
      post(10, ',"Tags":"|e|f|"'),
    );
    expect(reasons(db)).toEqual([
      { record_number: 201, reason: 'Tags: "<a><b" is not a list of tags like <a><b> or |a|b|' },
      { record_number: 202, reason: 'Tags: "<a<b>>" is not a list of tags like <a><b> or |a|b|' },
    ]);
    expect(queryRows(db, "SELECT post_id, tag FROM post_tags WHERE tag <> 'ok'")).toEqual([
      { post_id: 9, tag: "c" },
      { post_id: 9, tag: "d" },
      { post_id: 10, tag: "e" },
      { post_id: 10, tag: "f" },
    ]);
  });
});

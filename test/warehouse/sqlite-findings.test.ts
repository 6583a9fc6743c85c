import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { CHECKS, noneOf, type Check } from "../../src/check/checks.js";
import { openWarehouse } from "../../src/warehouse/open-warehouse.js";
import { forbiddenBySchema, sqliteFindings } from "../../src/warehouse/sqlite-findings.js";
import { cli, fileWith } from "../helpers/fixtures.js";
import { vote } from "../helpers/rulebreakers.js";
import { tempDir } from "../helpers/temp-dir.js";

const NOW = "2026-12-04T00:00:00.000";
const SCHEMA_CHECKS = [
  "posts_unique_ids",
  "votes_unique_ids",
  "posts_required_fields",
  "votes_required_fields",
];

function check(name: string): Check {
  const found = CHECKS.find((each) => each.name === name);
  if (found === undefined) throw new Error(`no check ${name}`);
  return found;
}

/** A database whose `votes_all` is created by `table`, with its view `votes`, holding `rows`. */
function votesIn(path: string, table: string, rows = ""): Database.Database {
  const db = new Database(path);
  db.exec(`${table}; CREATE VIEW votes AS SELECT * FROM votes_all; ${rows}`);
  return db;
}

const VOTE_COLUMNS =
  "post_id INTEGER NOT NULL, vote_type_id INTEGER NOT NULL, user_id INTEGER, bounty_amount INTEGER, creation_date TEXT NOT NULL";

describe("checks on SQLite", () => {
  it("answers the checks its keys and NOT NULL columns forbid from the schema", async () => {
    const warehouse = openWarehouse(join(await tempDir(), "w.db"));
    for (const each of CHECKS) {
      expect(forbiddenBySchema(warehouse, each), each.name).toBe(SCHEMA_CHECKS.includes(each.name));
    }
    warehouse.close();
  });

  it.each([
    [
      "no constraint at all",
      "CREATE TABLE votes_all (id INTEGER, post_id INTEGER, vote_type_id INTEGER, user_id INTEGER, bounty_amount INTEGER, creation_date TEXT)",
      false,
      false,
    ],
    [
      "not STRICT: INTEGER PRIMARY KEY DESC takes NULL ids",
      `CREATE TABLE votes_all (id INTEGER PRIMARY KEY DESC, ${VOTE_COLUMNS})`,
      false,
      false,
    ],
    [
      "a key of two columns",
      `CREATE TABLE votes_all (id INTEGER, ${VOTE_COLUMNS}, PRIMARY KEY (id, post_id)) STRICT`,
      false,
      true,
    ],
    [
      "INT, not INTEGER: no rowid key",
      `CREATE TABLE votes_all (id INT PRIMARY KEY, ${VOTE_COLUMNS}) STRICT`,
      false,
      true,
    ],
    [
      "a required column that takes NULL",
      `CREATE TABLE votes_all (id INTEGER PRIMARY KEY, ${VOTE_COLUMNS.replace("post_id INTEGER NOT NULL", "post_id INTEGER")}) STRICT`,
      true,
      false,
    ],
    [
      "the warehouse's own shape",
      `CREATE TABLE votes_all (id INTEGER PRIMARY KEY, ${VOTE_COLUMNS}) STRICT`,
      true,
      true,
    ],
  ])(
    "with %s, answers from the schema: unique %s, required %s",
    async (_, table, unique, required) => {
      const db = votesIn(join(await tempDir(), "v.db"), table);
      expect(forbiddenBySchema(db, check("votes_unique_ids"))).toBe(unique);
      expect(forbiddenBySchema(db, check("votes_required_fields"))).toBe(required);
      db.close();
    },
  );

  it("scans a table without the constraints, and finds its repeated ids and missing fields", async () => {
    const db = votesIn(
      join(await tempDir(), "v.db"),
      `CREATE TABLE votes_all (id INTEGER PRIMARY KEY DESC, post_id INTEGER, vote_type_id INTEGER,
        user_id INTEGER, bounty_amount INTEGER, creation_date TEXT)`,
      `INSERT INTO votes_all VALUES (NULL, 10, 2, NULL, NULL, '2021-03-01T00:00:00.000'),
        (NULL, 10, 3, NULL, NULL, '2021-03-01T00:00:00.000'),
        (2, NULL, 2, NULL, NULL, '2021-03-01T00:00:00.000')`,
    );

    const found = sqliteFindings(
      db,
      [check("votes_unique_ids"), check("votes_required_fields")],
      NOW,
    );

    expect(found.map(({ failing }) => failing)).toEqual([1, 3]);
    db.close();
  });

  it("tests none of a list of ids as ranges, the same as NOT IN, and every value as none of no ids", () => {
    const db = new Database(":memory:");
    const values = [-3, -2, 0, 1, 4, 5, 6, 9, null];
    const ids = [5, -2, 1, 6, 4, -3, 4];
    const count = (condition: string): number =>
      db
        .prepare(`SELECT count(*) FROM json_each(?) WHERE ${condition}`)
        .pluck()
        .get(JSON.stringify(values)) as number;

    expect(count(noneOf("value", ids))).toBe(count(`value NOT IN (${ids.join(", ")})`));
    expect(count(noneOf("value", ids))).toBe(2);
    expect(count(noneOf("value", []))).toBe(values.length);
    db.close();
  });

  it("finds vote types between and beyond the known ranges, and none of the known ones", async () => {
    const dir = await tempDir();
    const types = [1, 12, 13, 14, 15, 16, 17, 99];
    const votes = await fileWith(
      dir,
      "Votes.json",
      `[${types.map((type, index) => vote(index + 1, 7, type)).join("\n,")}\n]`,
    );
    const db = join(dir, "w.db");
    expect((await cli("--db", db, votes, "--no-checks")).code).toBe(0);

    const warehouse = new Database(db, { readonly: true });
    const [unknown] = sqliteFindings(warehouse, [check("unknown_vote_types")], NOW);
    warehouse.close();

    expect(unknown).toEqual({ failing: 4, sample: [3, 4, 7, 8] });
  });
});

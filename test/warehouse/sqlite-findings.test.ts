import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { CHECKS, type Check } from "../../src/check/checks.js";
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

/** Tables shaped like the warehouse's but without its keys or NOT NULL constraints. */
function unconstrained(path: string): Database.Database {
  const db = new Database(path);
  db.exec(`
    CREATE TABLE posts_all (id INTEGER, post_type_id INTEGER, creation_date TEXT, score INTEGER,
      body TEXT, last_activity_date TEXT, comment_count INTEGER, content_license TEXT);
    CREATE VIEW posts AS SELECT * FROM posts_all;
    CREATE TABLE votes_all (id INTEGER, post_id INTEGER, vote_type_id INTEGER, user_id INTEGER,
      bounty_amount INTEGER, creation_date TEXT);
    CREATE VIEW votes AS SELECT * FROM votes_all;
    INSERT INTO votes_all VALUES (1, 10, 2, NULL, NULL, '2021-03-01T00:00:00.000'),
      (1, 10, 3, NULL, NULL, '2021-03-01T00:00:00.000'),
      (2, NULL, 2, NULL, NULL, '2021-03-01T00:00:00.000');`);
  return db;
}

describe("checks on SQLite", () => {
  it("answers the checks its keys and NOT NULL columns forbid from the schema, and scans tables without them", async () => {
    const dir = await tempDir();
    const warehouse = openWarehouse(join(dir, "w.db"));
    const plain = unconstrained(join(dir, "plain.db"));

    for (const each of CHECKS) {
      expect(forbiddenBySchema(warehouse, each), each.name).toBe(SCHEMA_CHECKS.includes(each.name));
      expect(forbiddenBySchema(plain, each), each.name).toBe(false);
    }
    const found = sqliteFindings(
      plain,
      [check("votes_unique_ids"), check("votes_required_fields")],
      NOW,
    );
    expect(found).toEqual([
      { failing: 1, sample: [1] },
      { failing: 1, sample: [2] },
    ]);
    warehouse.close();
    plain.close();
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

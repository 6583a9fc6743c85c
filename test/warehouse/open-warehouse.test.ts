import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { StackhouseError } from "../../src/errors.js";
import { KINDS } from "../../src/model/kinds.js";
import { MIGRATIONS, SCHEMA_VERSION } from "../../src/warehouse/migrations.js";
import {
  APPLICATION_ID,
  openWarehouse,
  openWarehouseReadOnly,
} from "../../src/warehouse/open-warehouse.js";
import { generated } from "../helpers/deliveries.js";
import { cli } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { queryRows } from "../helpers/warehouse-dump.js";

function columns(db: Database.Database, table: string): string[] {
  return db
    .prepare("SELECT name FROM pragma_table_info(?) ORDER BY cid")
    .pluck()
    .all(table) as string[];
}

function thrown(action: () => unknown): StackhouseError {
  try {
    action();
  } catch (error) {
    if (error instanceof StackhouseError) return error;
    throw error;
  }
  throw new Error("expected a StackhouseError");
}

describe("openWarehouse", () => {
  it("creates the contract schema: one column per delivered field, plus the load id", async () => {
    const db = openWarehouse(join(await tempDir(), "w.db"));
    expect(columns(db, "posts")).toEqual([...KINDS.posts.fields.map((f) => f.column), "load_id"]);
    expect(columns(db, "votes")).toEqual([...KINDS.votes.fields.map((f) => f.column), "load_id"]);
    expect(columns(db, "post_tags")).toEqual(["post_id", "tag"]);
    expect(db.prepare("SELECT name FROM vote_types WHERE id = 2").pluck().get()).toBe("UpMod");
    expect(db.prepare("SELECT name FROM post_types WHERE id = 1").pluck().get()).toBe("Question");
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it("upgrades an older warehouse in place and leaves a current one alone", async () => {
    const path = join(await tempDir(), "w.db");
    const old = new Database(path);
    for (const migration of MIGRATIONS.slice(0, 4)) migration.apply(old);
    old.pragma("user_version = 4");
    old.exec("CREATE TABLE kept (x INTEGER)");
    old.close();
    const db = openWarehouse(path);
    expect(columns(db, "kept")).toEqual(["x"]);
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma("application_id", { simple: true })).toBe(APPLICATION_ID);
    db.close();
    openWarehouse(path).close();
  });

  it("answers over up- and down-votes on a schema-7 warehouse read as it is, and upgrades its totals", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    const delivery = await generated(dir);
    expect((await cli("--db", db, delivery.posts, delivery.votes)).code).toBe(0);
    const current = JSON.parse((await cli("report", "--db", db, "--json")).stdout) as {
      upDown: unknown;
    };
    const older = new Database(db);
    older.exec(`ALTER TABLE weekly_vote_totals DROP COLUMN updown_posts_voted;
      ALTER TABLE weekly_votes_all_weeks DROP COLUMN updown_posts_voted;
      PRAGMA user_version = 7;`);
    older.close();

    const read = JSON.parse((await cli("report", "--db", db, "--json")).stdout) as {
      upDown: unknown;
    };
    expect(read.upDown).toEqual(current.upDown);
    expect((await cli("check", "--db", db)).code).toBe(0);
    const upgraded = new Database(db, { readonly: true });
    try {
      expect(upgraded.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
      expect(
        upgraded
          .prepare(
            `SELECT week_start, updown_posts_voted FROM weekly_vote_totals
             EXCEPT SELECT date(creation_date, 'weekday 0', '-6 days'),
               count(DISTINCT CASE WHEN vote_type_id IN (2, 3) THEN post_id END)
             FROM votes GROUP BY 1`,
          )
          .all(),
      ).toEqual([]);
    } finally {
      upgraded.close();
    }
  });

  it("writes a schema-8 warehouse's calendar again by today's partial-week rule when it upgrades", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    const delivery = await generated(dir);
    expect((await cli("--db", db, delivery.posts, delivery.votes)).code).toBe(0);
    const flags = "SELECT week_start, is_partial FROM weeks ORDER BY week_start";
    const current = queryRows(db, flags);
    expect(current.at(-1)?.is_partial).toBe(1);
    // As schema 8 left it: the last week whole when the data reached its Sunday.
    const older = new Database(db);
    older.exec(`UPDATE weeks SET is_partial = 0 WHERE week_start = (SELECT max(week_start) FROM weeks);
      PRAGMA user_version = 8;`);
    older.close();

    expect((await cli("check", "--db", db)).code).toBe(0);
    expect(queryRows(db, flags)).toEqual(current);
    expect(queryRows(db, "PRAGMA user_version")).toEqual([{ user_version: SCHEMA_VERSION }]);
  });

  it("refuses a warehouse from a newer stackhouse, and a file that is not a database", async () => {
    const dir = await tempDir();
    const newer = join(dir, "newer.db");
    const db = new Database(newer);
    db.pragma(`user_version = ${String(SCHEMA_VERSION + 1)}`);
    db.close();
    const error = thrown(() => openWarehouse(newer));
    expect(error.code).toBe("WAREHOUSE");
    expect(error.message).toContain("made by a newer stackhouse");

    const notDb = join(dir, "text.db");
    await writeFile(
      notDb,
      "this is not a database, just some text that is long enough ".repeat(20),
    );
    expect(thrown(() => openWarehouse(notDb)).message).toBe(
      `${notDb}: not a SQLite database, or damaged`,
    );
    expect(thrown(() => openWarehouseReadOnly(join(dir, "missing.db"))).code).toBe("WAREHOUSE");
  });

  it("opens read-only so that writes fail", async () => {
    const path = join(await tempDir(), "w.db");
    openWarehouse(path).close();
    const reader = openWarehouseReadOnly(path);
    expect(() => reader.exec("DELETE FROM vote_types")).toThrow(/readonly/);
    reader.close();
  });
});

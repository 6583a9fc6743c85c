import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { SCHEMA_VERSION } from "../../src/warehouse/migrations.js";
import { fixtureDelivery, cli } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";

/** Another application's SQLite file, holding one table of its own. */
function foreignDatabase(path: string, table: "users" | "posts"): void {
  const db = new Database(path);
  db.exec(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, name TEXT)`);
  db.prepare(`INSERT INTO ${table} (name) VALUES (?)`).run("ada");
  db.close();
}

describe("item 6: another application's database", () => {
  it.each(["users", "posts"] as const)(
    "with a %s table is refused and left byte for byte as it was",
    async (table) => {
      const dir = await tempDir();
      const db = join(dir, "app.db");
      foreignDatabase(db, table);
      const before = await readFile(db);
      const { posts, votes } = await fixtureDelivery(dir);

      const result = await cli("--db", db, posts, votes);

      expect(result.code).toBe(3);
      expect(result.stderr).toBe(
        `stackhouse: ${db}: a SQLite database of another application (1 schema objects, no stackhouse mark); stackhouse changes nothing in it: give another --db\n`,
      );
      expect((await readFile(db)).equals(before)).toBe(true);
      expect(existsSync(`${db}-wal`) || existsSync(`${db}.landing`)).toBe(false);
      const check = new Database(db, { readonly: true });
      expect(check.pragma("journal_mode", { simple: true })).toBe("delete");
      check.close();
    },
  );

  it("is refused by query and report too", async () => {
    const dir = await tempDir();
    const db = join(dir, "app.db");
    foreignDatabase(db, "users");
    expect((await cli("--db", db, "query", "SELECT * FROM users")).code).toBe(3);
    expect((await cli("--db", db, "report")).code).toBe(3);
  });

  it("marks the warehouses stackhouse makes with its application id", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    const { posts, votes } = await fixtureDelivery(dir);
    expect((await cli("--db", db, posts, votes)).code).toBe(0);
    const check = new Database(db, { readonly: true });
    expect(check.pragma("application_id", { simple: true })).toBe(0x53544b48);
    check.close();
  });
});

describe("item 6: a database with a version but no tables", () => {
  it.each([3, SCHEMA_VERSION + 1])(
    "(user_version %i) is refused and left as it was",
    async (version) => {
      const dir = await tempDir();
      const db = join(dir, "e.db");
      const empty = new Database(db);
      empty.pragma(`user_version = ${String(version)}`);
      empty.close();
      const before = await readFile(db);
      const { posts, votes } = await fixtureDelivery(dir);

      for (const argv of [
        ["--db", db, posts, votes],
        ["report", "--db", db],
        ["check", "--db", db],
      ]) {
        const result = await cli(...argv);
        expect(result.code).toBe(3);
        expect(result.stderr).not.toContain("internal error");
      }
      expect((await readFile(db)).equals(before)).toBe(true);
    },
  );
});

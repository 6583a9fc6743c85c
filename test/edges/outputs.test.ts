import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import {
  chmod,
  copyFile,
  lstat,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { join, relative } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { generated } from "../helpers/deliveries.js";
import { CLICKHOUSE_URL, ENGINES } from "../helpers/engines.js";
import { cli, fixtureWarehouse } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { queryRows } from "../helpers/warehouse-dump.js";

const warehouse = fixtureWarehouse;

/**
 * The sha256 of every file under `dir` but the shared-memory index (`-shm`), which any reader
 * may touch: the warehouse, its log and its archive, byte for byte.
 */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith("-shm")) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(dir, path)] = createHash("sha256")
      .update(await readFile(path))
      .digest("hex");
  }
  return files;
}

const REFUSED = /^stackhouse: [^\n]+: refused: [^\n]+\n$/;

describe("item 2: outputs never overwrite the warehouse or its history", () => {
  it("refuses query --output w.db and report --html w.db (exit 2), changing nothing", async () => {
    const { dir, db } = await warehouse();
    const before = await snapshot(dir);
    const query = await cli("query", "SELECT * FROM votes", "--db", db, "--output", db);
    const report = await cli("report", "--db", db, "--html", db);
    for (const result of [query, report]) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(REFUSED);
      expect(result.stderr).toContain(`${db}: refused: this is the warehouse`);
    }
    expect(await snapshot(dir)).toEqual(before);
    expect(queryRows(db, "SELECT count(*) AS n FROM votes")).toEqual([{ n: 9 }]);
  });

  it("refuses --output w.db-wal while the log holds a committed run, which survives", async () => {
    const { dir, db } = await warehouse();
    // A second connection keeps the last writer from folding the log back into w.db.
    const holder = new Database(db, { readonly: true });
    try {
      holder.prepare("SELECT count(*) FROM votes").get();
      const second = await generated(dir);
      expect((await cli("--db", db, second.posts, second.votes)).code).toBe(0);
      expect((await stat(`${db}-wal`)).size).toBeGreaterThan(0);
      const before = await snapshot(dir);
      for (const side of ["-wal", "-shm", "-journal", ".lock", ".building"]) {
        const result = await cli("query", "SELECT 1", "--db", db, "--output", `${db}${side}`);
        expect(result.code, side).toBe(2);
        expect(result.stderr, side).toMatch(REFUSED);
      }
      expect(await snapshot(dir)).toEqual(before);
    } finally {
      holder.close();
    }
    expect(queryRows(db, "SELECT count(*) AS n FROM loads")).toEqual([{ n: 4 }]);
  });

  it("refuses --output onto the landing archive's manifest, directly or through a link, so a rebuild still works", async () => {
    const { dir, db } = await warehouse();
    const manifest = join(dir, "w.db.landing", "manifest.ndjson");
    const link = join(dir, "manifest-link.csv");
    await symlink(manifest, link);
    const warehouseLink = join(dir, "latest.db");
    await symlink(db, warehouseLink);
    const before = await snapshot(dir);
    for (const output of [manifest, link, join(dir, "w.db.landing", "new.csv"), warehouseLink]) {
      const result = await cli("query", "SELECT 1", "--db", db, "--output", output);
      expect(result.code, output).toBe(2);
      expect(result.stderr, output).toMatch(REFUSED);
    }
    expect(await snapshot(dir)).toEqual(before);
    expect((await lstat(warehouseLink)).isSymbolicLink()).toBe(true);
    const votes = queryRows(db, "SELECT * FROM votes ORDER BY id");
    await rm(db);
    expect((await cli("rebuild", "--db", db)).code).toBe(0);
    expect(queryRows(db, "SELECT * FROM votes ORDER BY id")).toEqual(votes);
  });

  it.skipIf(CLICKHOUSE_URL === undefined)(
    "refuses --output and --html into a ClickHouse target's landing archive or onto its lock",
    async () => {
      const dir = await tempDir();
      const clickhouse = ENGINES.find((engine) => engine.name === "clickhouse");
      if (clickhouse === undefined) throw new Error("no ClickHouse servers");
      const target = await clickhouse.fresh(dir);
      const delivery = await generated(dir);
      expect((await cli("ingest", delivery.posts, delivery.votes, ...target.args)).code).toBe(0);
      const archive = target.destination.archive.dir;
      const before = await snapshot(archive);
      for (const output of [join(archive, "manifest.ndjson"), join(archive, "new.csv")]) {
        const result = await cli("query", "SELECT 1", ...target.args, "--output", output);
        expect(result.code, output).toBe(2);
        expect(result.stderr, output).toMatch(REFUSED);
      }
      const html = await cli("report", ...target.args, "--html", `${archive}.lock`);
      expect(html.code).toBe(2);
      expect(html.stderr).toMatch(REFUSED);
      expect(await snapshot(archive)).toEqual(before);
    },
  );

  it("refuses to replace another SQLite database", async () => {
    const { dir, db } = await warehouse();
    const other = join(dir, "other.db");
    await copyFile(db, other);
    const bytes = await readFile(other);
    const result = await cli("query", "SELECT 1", "--db", db, "--output", other);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(REFUSED);
    expect(await readFile(other)).toEqual(bytes);
  });

  it("writes into a device file such as /dev/null without replacing it", async () => {
    const { db } = await warehouse();
    const result = await cli("query", "SELECT * FROM votes", "--db", db, "--output", "/dev/null");
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
    expect((await stat("/dev/null")).isCharacterDevice()).toBe(true);
  });

  it("writes into a FIFO, which stays a FIFO", async () => {
    const { dir, db } = await warehouse();
    const fifo = join(dir, "rows.fifo");
    execFileSync("mkfifo", [fifo]);
    let received = "";
    const reader = new Promise<string>((resolve, reject) => {
      createReadStream(fifo, "utf8")
        .on("data", (chunk) => {
          received += String(chunk);
        })
        .on("end", () => {
          resolve(received);
        })
        .on("error", reject);
    });
    const result = await cli(
      "query",
      "SELECT id FROM votes ORDER BY id LIMIT 3",
      "--db",
      db,
      "--output",
      fifo,
    );
    expect(result.code).toBe(0);
    expect(await reader).toBe("id\n1\n2\n3\n");
    expect((await lstat(fifo)).isFIFO()).toBe(true);
  });

  it("replaces an ordinary file whole, keeping its permissions; a failed query leaves it whole and no partial file", async () => {
    const { dir, db } = await warehouse();
    const output = join(dir, "out.csv");
    await writeFile(output, "old\n");
    await chmod(output, 0o640);
    const failures = [
      "SELECT nope FROM votes",
      "SELECT id, CASE WHEN id = 7 THEN abs(id - id - 9223372036854775807 - 1) ELSE id END FROM votes ORDER BY id",
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
    ];
    for (const sql of failures) {
      const result = await cli("query", sql, "--db", db, "--output", output, "--timeout", "1");
      expect(result.code, sql).toBe(7);
      expect(await readFile(output, "utf8")).toBe("old\n");
      expect((await readdir(dir)).filter((name) => name.includes(".partial-"))).toEqual([]);
    }
    const done = await cli(
      "query",
      "SELECT id FROM votes ORDER BY id LIMIT 2",
      "--db",
      db,
      "--output",
      output,
    );
    expect(done.code).toBe(0);
    expect(await readFile(output, "utf8")).toBe("id\n1\n2\n");
    expect((await stat(output)).mode & 0o777).toBe(0o640);
    expect((await readdir(dir)).filter((name) => name.includes(".partial-"))).toEqual([]);
  });
});

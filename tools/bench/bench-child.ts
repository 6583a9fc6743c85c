/**
 * What the benchmark runs in a child process, one loader at a time, so each is measured alone:
 * `node bench-child.js <task> ...`. Prints one JSON line: what it did and, for tasks that time
 * only part of their work, `seconds`.
 */
import Database from "better-sqlite3";
import { parseTarget } from "../clickhouse/target-url.js";
import { ingest } from "../run/ingest.js";
import type { DeliveryKind } from "../model/kinds.js";
import { inspectDelivery, readDelivery } from "../extract/read-delivery.js";
import { KINDS } from "../model/kinds.js";
import { validateBatch } from "../validate/validate-record.js";
import { createTable, duckdbSelect, duckdbUpsert, sqliteFloorUpsert } from "./reference-sql.js";

type Task = (args: readonly string[]) => unknown;

const tasks: Readonly<Record<string, Task>> = {
  /** stackhouse itself: ingest posts and votes files into a warehouse. */
  async stackhouse([warehouse = "", posts = "", votes = ""]) {
    const report = await ingest({ warehouse, posts, votes, checks: false });
    return report.files.map(
      ({ kind, outcome, read, inserted, updated, unchanged, rejected, seconds }) => ({
        kind,
        outcome,
        read,
        inserted,
        updated,
        unchanged,
        rejected,
        seconds,
      }),
    );
  },

  /** DuckDB: into a table with a primary key (upsert), or by CREATE TABLE AS (no key). */
  async duckdb([mode = "", database = "", kind = "", path = ""]) {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(database);
    const connection = await instance.connect();
    const target = kind as DeliveryKind;
    if (mode === "ctas") {
      await connection.run(`CREATE TABLE ${target} AS ${duckdbSelect(target, path)}`);
    } else {
      await connection.run(
        createTable(target, "duckdb").replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"),
      );
      await connection.run(duckdbUpsert(target, path));
    }
    const rows = await connection.runAndReadAll(`SELECT count(*) FROM ${target}`);
    connection.closeSync();
    return { rows: Number(rows.getRows()[0]?.[0]) };
  },

  /** SQLite's floor: the same upsert fed from an already typed table; only the upsert is timed. */
  async floor([database = "", kind = "", path = ""]) {
    const target = kind as DeliveryKind;
    const db = new Database(database);
    db.exec(createTable(target, "sqlite").replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"));
    db.exec(
      createTable(target, "sqlite", false).replace(
        `CREATE TABLE ${target}`,
        "CREATE TEMP TABLE staged",
      ),
    );
    const columns = KINDS[target].fields.length;
    const stage = db.prepare(`INSERT INTO staged VALUES (${Array(columns).fill("?").join(", ")})`);
    const reading = readDelivery(await inspectDelivery(path));
    db.exec("BEGIN");
    for await (const batch of reading.batches) {
      for (const row of validateBatch(KINDS[target], batch, new Map()).rows) stage.run(row);
    }
    db.exec("COMMIT");
    const started = performance.now();
    db.exec("BEGIN");
    db.exec(sqliteFloorUpsert(target));
    db.exec("COMMIT");
    const seconds = (performance.now() - started) / 1000;
    db.close();
    return { seconds };
  },

  /** stackhouse into a ClickHouse target; a first load starts from an empty database. */
  async clickhouse([url = "", mode = "", posts = "", votes = ""]) {
    const target = parseTarget(url);
    const { dropClickHouseDatabase, ingestClickHouse } =
      await import("../clickhouse/clickhouse-ingest.js");
    if (mode === "first") await dropClickHouseDatabase(target);
    const files = await ingestClickHouse(target, { posts, votes });
    return files.map(({ kind, outcome, read, written, rejected, seconds }) => ({
      kind,
      outcome,
      read,
      written,
      rejected,
      seconds,
    }));
  },

  /** The time to read the whole weekly_votes view of a ClickHouse warehouse. */
  async clickhouseWeekly([url = ""]) {
    const target = parseTarget(url);
    const { clickHouseWeeklyVotes } = await import("../clickhouse/clickhouse-ingest.js");
    const started = performance.now();
    const rows = (await clickHouseWeeklyVotes(target)).length;
    return { rows, seconds: (performance.now() - started) / 1000 };
  },

  /** The time to read the whole weekly_votes view of a warehouse. */
  weekly([warehouse = ""]) {
    const db = new Database(warehouse, { readonly: true });
    const started = performance.now();
    const rows = db.prepare("SELECT * FROM weekly_votes").all().length;
    const seconds = (performance.now() - started) / 1000;
    db.close();
    return { rows, seconds };
  },
};

const [name = "", ...args] = process.argv.slice(2);
const task = tasks[name];
if (task === undefined) {
  process.stderr.write(`unknown task ${name}\n`);
  process.exitCode = 2;
} else {
  process.stdout.write(`${JSON.stringify(await Promise.resolve(task(args)))}\n`);
}

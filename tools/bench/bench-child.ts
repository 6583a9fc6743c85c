/**
 * What the benchmark runs in a child process, one loader at a time, so each is measured alone:
 * `node bench-child.js <task> ...`. Prints one JSON line: what it did and, for tasks that time
 * only part of their work, `seconds`.
 */
import { rmSync } from "node:fs";
import Database from "better-sqlite3";
import { parseTarget } from "../../src/clickhouse/target-url.js";
import { run } from "../../src/cli.js";
import type { IngestReport } from "../../src/run/ingest.js";
import type { DeliveryKind } from "../../src/model/kinds.js";
import { inspectDelivery, readDelivery } from "../../src/extract/read-delivery.js";
import { KINDS } from "../../src/model/kinds.js";
import { validateBatch } from "../../src/validate/validate-record.js";
import {
  createTable,
  duckdbSelect,
  duckdbSimpleLoad,
  duckdbUpsert,
  sqliteFloorUpsert,
} from "./reference-sql.js";
import { MEMORY_BOUND_MIB } from "./render-results.js";

type Task = (args: readonly string[]) => unknown;

/** What the benchmark reads of an ingest: each file's counts and time. */
function fileSummaries(report: IngestReport): object[] {
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
}

/**
 * The default command as a user runs it (`stackhouse ...files`: checks and the weekly answer
 * included), in this process, its output as JSON (`--json`) to read the counts from.
 */
async function stackhouseCommand(argv: readonly string[]): Promise<object[]> {
  let stdout = "";
  let stderr = "";
  const code = await run([...argv, "--json"], {
    stdout: { write: (chunk: string | Uint8Array) => (stdout += String(chunk)) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  if (code !== 0) throw new Error(`stackhouse exited ${String(code)}: ${stderr.trim()}`);
  return fileSummaries(JSON.parse(stdout) as IngestReport);
}

const tasks: Readonly<Record<string, Task>> = {
  /** stackhouse itself: the default command, loading delivery files into a warehouse file. */
  stackhouse([warehouse = "", ...files]) {
    return stackhouseCommand(["--db", warehouse, ...files]);
  },

  /**
   * DuckDB: the simplest keyed load a user would type (`simple`), also within stackhouse's memory
   * bound (`bounded`); the same work as stackhouse's merge, into a table with a primary key
   * (`key`); or CREATE TABLE AS, no key (`ctas`).
   */
  async duckdb([mode = "", database = "", kind = "", path = ""]) {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(database);
    const connection = await instance.connect();
    const target = kind as DeliveryKind;
    if (mode === "simple" || mode === "bounded") {
      const limit = mode === "bounded" ? `${String(MEMORY_BOUND_MIB)}MiB` : undefined;
      for (const statement of duckdbSimpleLoad(target, path, limit))
        await connection.run(statement);
    } else if (mode === "ctas") {
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

  /**
   * stackhouse into a ClickHouse target, its landing archive in `archive`; a first load starts
   * from an empty database and an empty archive.
   */
  async clickhouse([url = "", archive = "", mode = "", ...files]) {
    const { dropDatabase } = await import("../../src/clickhouse/clickhouse-destination.js");
    if (mode === "first") {
      await dropDatabase(parseTarget(url));
      rmSync(archive, { recursive: true, force: true });
    }
    return stackhouseCommand(["--target", url, "--archive", archive, ...files]);
  },

  /** The time to read the whole weekly_votes view of a ClickHouse warehouse, as `query` does. */
  async clickhouseWeekly([url = ""]) {
    const { clickHouseReadQuery } = await import("../../src/clickhouse/clickhouse-query.js");
    const started = performance.now();
    const { batches } = await clickHouseReadQuery(parseTarget(url), "SELECT * FROM weekly_votes", {
      limit: 0,
      timeoutSeconds: 0,
    });
    let rows = 0;
    for await (const batch of batches) rows += batch.length;
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

import Database from "better-sqlite3";
import {
  computeRollups,
  readTotals,
  writeGeneration,
} from "../../src/clickhouse/clickhouse-rollups.js";
import { ClickHouseServers, jsonValue } from "../../src/clickhouse/clickhouse-connection.js";
import {
  committedRun,
  localName,
  RECORD_COLUMNS,
  ROLLUP_TABLES,
} from "../../src/clickhouse/clickhouse-schema.js";
import { sqlInteger } from "../../src/clickhouse/sql-literal.js";
import { WEEK_OF_SQL } from "../../src/model/week.js";
import { parseTarget, type ClickHouseTarget } from "../../src/clickhouse/target-url.js";
import { splitTags } from "../../src/load/split-tags.js";
import type { Row } from "../../src/model/field.js";
import { KINDS, type DeliveryKind } from "../../src/model/kinds.js";
import type { TimeWindow } from "../../src/validate/parse-value.js";
import { validateRecord } from "../../src/validate/validate-record.js";
import { writeCalendar } from "../../src/warehouse/migration-calendar.js";

/** Before the time window, any real calendar time passed validation. */
const ANY_TIME: TimeWindow = {
  earliest: "0000-01-01T00:00:00.000",
  latest: "9999-12-31T23:59:59.999",
};

const KIND_LIST = ["posts", "votes"] as const;
const TAGS = KINDS.posts.fields.findIndex((field) => field.column === "tags");

/** Records (JSON texts) of each kind, as a delivery would hold them. */
export interface OlderRecords {
  readonly posts?: readonly string[];
  readonly votes?: readonly string[];
}

/** The rows a stackhouse without the time window made of records; throws on any other refusal. */
function olderRows(kind: DeliveryKind, texts: readonly string[] = []): Row[] {
  return texts.map((text) => {
    const row = validateRecord(KINDS[kind], JSON.parse(text) as Record<string, unknown>, ANY_TIME);
    if (typeof row === "string") throw new Error(`${kind} record refused: ${row}`);
    return row;
  });
}

/**
 * Writes records into a SQLite warehouse as a stackhouse without the time window loaded them
 * (dated before 2008 or after the run), in its latest load, with the weekly totals and the
 * calendar tables recomputed: the warehouse that checks and reports must still cope with.
 */
export function loadAsOlderVersion(path: string, records: OlderRecords): void {
  const db = new Database(path);
  try {
    db.transaction(() => {
      const loadId = db.prepare("SELECT max(load_id) FROM loads").pluck().get() as number;
      for (const kind of KIND_LIST) {
        const columns = KINDS[kind].fields.map((field) => field.column);
        const insert = db.prepare(
          `INSERT INTO ${kind}_all (${columns.join(", ")}, load_id)
           VALUES (${columns.map(() => "?").join(", ")}, ?)`,
        );
        for (const row of olderRows(kind, records[kind])) insert.run(...row, loadId);
      }
      const tag = db.prepare("INSERT INTO post_tags_all (post_id, tag) VALUES (?, ?)");
      for (const row of olderRows("posts", records.posts)) {
        const tags = row[TAGS];
        for (const name of splitTags(typeof tags === "string" ? tags : null)) tag.run(row[0], name);
      }
      db.exec(`
        DELETE FROM weekly_vote_totals;
        INSERT INTO weekly_vote_totals
        SELECT date(creation_date, 'weekday 0', '-6 days'), count(*), count(DISTINCT post_id),
               sum(vote_type_id = 2), sum(vote_type_id = 3), min(creation_date), max(creation_date),
               count(DISTINCT CASE WHEN vote_type_id IN (2, 3) THEN post_id END)
        FROM votes GROUP BY 1;
        DELETE FROM weekly_post_totals;
        INSERT INTO weekly_post_totals
        SELECT date(creation_date, 'weekday 0', '-6 days'), count(*), min(creation_date),
               max(last_activity_date)
        FROM posts GROUP BY 1;`);
      writeCalendar(db, new Date());
    })();
  } finally {
    db.close();
  }
}

/** A validated row as ClickHouse stores it: the columns of `RECORD_COLUMNS`, live, in a load. */
function storedRow(kind: DeliveryKind, row: Row, loadId: number): Record<string, unknown> {
  const stored: Record<string, unknown> = {
    load_id: loadId,
    deleted_by_load_id: null,
    deleted_at: null,
  };
  KINDS[kind].fields.forEach((field, index) => {
    stored[field.column] = jsonValue(row[index] ?? null);
  });
  if (kind === "posts") {
    const tags = stored.tags;
    stored.tags_array = splitTags(typeof tags === "string" ? tags : null);
  }
  const missing = RECORD_COLUMNS[kind].filter((column) => !(column in stored));
  if (missing.length > 0) throw new Error(`no value for ${kind} column(s) ${missing.join(", ")}`);
  return Object.fromEntries(RECORD_COLUMNS[kind].map((column) => [column, stored[column]]));
}

/**
 * The same for a ClickHouse warehouse: the rows as its runs store them (in `<kind>_all`, through
 * the Distributed table on a cluster), in its latest load, then every weekly total and the
 * calendar tables recomputed by the code a commit uses.
 */
export async function loadAsOlderVersionClickHouse(
  target: ClickHouseTarget,
  records: OlderRecords,
): Promise<void> {
  const servers = new ClickHouseServers(target);
  const db = target.database;
  try {
    const loadId = await servers.count(`SELECT max(load_id) FROM ${db}.loads`);
    for (const kind of KIND_LIST) {
      const rows = olderRows(kind, records[kind]).map((row) => storedRow(kind, row, loadId));
      const table = target.cluster === undefined ? localName(`${kind}_all`) : `${kind}_all`;
      await servers.insert(`${db}.${table}`, rows);
    }
    await refreshRollupTables(servers);
  } finally {
    await servers.close();
  }
}

/**
 * Recomputes every week's totals and the calendar from the live records, as the generation of the
 * last committed run: the records were changed outside a run.
 */
async function refreshRollupTables(servers: ClickHouseServers): Promise<void> {
  const db = servers.target.database;
  const committed = await servers.count(`SELECT ${committedRun(db)}`);
  const stored = await readTotals(servers);
  const weeks = async (kind: DeliveryKind, totals: readonly { week_start: string }[]) => {
    const rows = await servers.rows(
      `SELECT DISTINCT ${WEEK_OF_SQL.clickhouse("creation_date")} FROM ${db}.${kind}`,
    );
    return new Set([...rows.map((row) => String(row[0])), ...totals.map((t) => t.week_start)]);
  };
  const touched = {
    posts: await weeks("posts", stored.posts),
    votes: await weeks("votes", stored.votes),
  };
  const rollups = await computeRollups(
    servers,
    touched,
    new Date(),
    (kind, where, columns) => `(SELECT ${columns} FROM ${db}.${kind} WHERE 1 ${where})`,
  );
  for (const table of Object.keys(ROLLUP_TABLES)) {
    await servers.exec(`ALTER TABLE ${db}.${table}_by_run DROP PARTITION ${sqlInteger(committed)}`);
  }
  await writeGeneration(servers, rollups, committed);
}

/**
 * The same for the warehouse a test's command-line options name (`--db PATH` or
 * `--target URL`), as `TestWarehouse.args` gives them.
 */
export async function loadAsOlderVersionAt(
  args: readonly string[],
  records: OlderRecords,
): Promise<void> {
  const [option, value] = args;
  if (option === "--db" && value !== undefined) {
    loadAsOlderVersion(value, records);
    return;
  }
  if (option === "--target" && value !== undefined) {
    await loadAsOlderVersionClickHouse(parseTarget(value), records);
    return;
  }
  throw new Error(`no warehouse named by ${args.join(" ")}`);
}

import Database from "better-sqlite3";
import { clickHouseRow, connectClickHouse } from "../../src/clickhouse/clickhouse-ingest.js";
import type { ClickHouseTarget } from "../../src/clickhouse/target-url.js";
import type { Row } from "../../src/model/field.js";
import { KINDS, type DeliveryKind } from "../../src/model/kinds.js";
import type { TimeWindow } from "../../src/validate/parse-value.js";
import { validateRecord } from "../../src/validate/validate-record.js";

/** Before the time window, any real calendar time passed validation. */
const ANY_TIME: TimeWindow = {
  earliest: "0000-01-01T00:00:00.000",
  latest: "9999-12-31T23:59:59.999",
};

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
 * (dated before 2008 or after the run), in its latest load, with the weekly totals recomputed:
 * the warehouse that checks and reports must still cope with.
 */
export function loadAsOlderVersion(path: string, records: OlderRecords): void {
  const db = new Database(path);
  try {
    db.transaction(() => {
      const loadId = db.prepare("SELECT max(load_id) FROM loads").pluck().get() as number;
      for (const kind of ["posts", "votes"] as const) {
        const columns = KINDS[kind].fields.map((field) => field.column);
        const insert = db.prepare(
          `INSERT INTO ${kind}_all (${columns.join(", ")}, load_id)
           VALUES (${columns.map(() => "?").join(", ")}, ?)`,
        );
        for (const row of olderRows(kind, records[kind])) insert.run(...row, loadId);
      }
      db.exec(`
        DELETE FROM weekly_vote_totals;
        INSERT INTO weekly_vote_totals
        SELECT date(creation_date, 'weekday 0', '-6 days'), count(*), count(DISTINCT post_id),
               sum(vote_type_id = 2), sum(vote_type_id = 3), min(creation_date), max(creation_date)
        FROM votes GROUP BY 1;
        DELETE FROM weekly_post_totals;
        INSERT INTO weekly_post_totals
        SELECT date(creation_date, 'weekday 0', '-6 days'), count(*), min(creation_date),
               max(last_activity_date)
        FROM posts GROUP BY 1;`);
    })();
  } finally {
    db.close();
  }
}

/** The same for a ClickHouse warehouse: the rows as its ingest writes them, in its latest load. */
export async function loadAsOlderVersionClickHouse(
  target: ClickHouseTarget,
  records: OlderRecords,
): Promise<void> {
  const client = connectClickHouse(target.hosts[0] ?? "");
  try {
    const [latest] = await (
      await client.query({
        query: `SELECT max(load_id) AS id FROM ${target.database}.loads`,
        format: "JSONEachRow",
      })
    ).json<{ id: number }>();
    const loadId = latest?.id ?? 0;
    for (const kind of ["posts", "votes"] as const) {
      const values = olderRows(kind, records[kind]).map((row) => clickHouseRow(kind, row, loadId));
      if (values.length === 0) continue;
      await client.insert({ table: `${target.database}.${kind}`, values, format: "JSONEachRow" });
    }
  } finally {
    await client.close();
  }
}

import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { ClickHouseServers } from "../../src/clickhouse/clickhouse-connection.js";
import { sqlString } from "../../src/clickhouse/sql-literal.js";
import { parseTarget } from "../../src/clickhouse/target-url.js";
import { weekOf, WEEK_OF_SQL } from "../../src/model/week.js";
import { CLICKHOUSE_URL } from "../helpers/engines.js";

/** Every day from 2007-12-20 to 2030-01-10 (leap years, ISO years of 53 weeks), at one time of day. */
const DAYS = Array.from({ length: 8_060 }, (_, index) =>
  new Date(Date.UTC(2007, 11, 20 + index, 23, 59, 59, 999)).toISOString().slice(0, 23),
);

describe("the week rule", () => {
  it("names each week by its Monday", () => {
    expect(weekOf("2021-01-03T12:00:00.000")).toBe("2020-12-28");
    expect(weekOf("2021-01-04T00:00:00.000")).toBe("2021-01-04");
    expect(new Set(DAYS.map((day) => new Date(`${weekOf(day)}T00:00:00Z`).getUTCDay()))).toEqual(
      new Set([1]),
    );
  });

  it("is the same in SQLite's SQL for every day", () => {
    const db = new Database(":memory:");
    const week = db.prepare(`SELECT ${WEEK_OF_SQL.sqlite("?")}`).pluck();
    expect(DAYS.filter((day) => week.get(day) !== weekOf(day))).toEqual([]);
    db.close();
  });

  it.skipIf(CLICKHOUSE_URL === undefined)(
    "is the same in ClickHouse's SQL for every day",
    async () => {
      const servers = new ClickHouseServers(parseTarget(CLICKHOUSE_URL ?? ""), true);
      try {
        const list = DAYS.map(sqlString).join(", ");
        const rows = await servers.rows(
          `SELECT day, ${WEEK_OF_SQL.clickhouse("day")} FROM (SELECT arrayJoin([${list}]) AS day)`,
        );
        expect(rows.filter(([day, week]) => week !== weekOf(String(day)))).toEqual([]);
        expect(rows).toHaveLength(DAYS.length);
      } finally {
        await servers.close();
      }
    },
  );
});

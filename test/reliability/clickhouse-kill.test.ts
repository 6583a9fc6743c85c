import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ClickHouseServers } from "../../src/clickhouse/clickhouse-connection.js";
import { ClickHouseWarehouse } from "../../src/clickhouse/clickhouse-warehouse.js";
import { parseTarget } from "../../src/clickhouse/target-url.js";
import type { Destination } from "../../src/warehouse/warehouse.js";
import { ingest } from "../../src/run/ingest.js";
import { generated } from "../helpers/deliveries.js";
import { CLICKHOUSE_URL, ENGINES, type Engine, type TestWarehouse } from "../helpers/engines.js";
import { tempDir } from "../helpers/temp-dir.js";

const clickhouse = ENGINES.find((engine) => engine.name === "clickhouse");
const engine = (): Engine => {
  if (clickhouse === undefined) throw new Error("no ClickHouse servers");
  return clickhouse;
};

/**
 * The warehouse's content, run and load ids left out: a run killed before it committed may use up
 * its number.
 */
async function content(warehouse: TestWarehouse): Promise<unknown[]> {
  const withoutLoadIds = (rows: Record<string, unknown>[]): Record<string, unknown>[] =>
    rows.map(({ load_id: _loadId, ...row }) => row);
  return Promise.all([
    warehouse.rows("SELECT * FROM posts ORDER BY id").then(withoutLoadIds),
    warehouse.rows("SELECT * FROM votes ORDER BY id").then(withoutLoadIds),
    warehouse.rows("SELECT * FROM weekly_votes_all_weeks ORDER BY week_start"),
    warehouse
      .rows("SELECT * FROM rejected_records ORDER BY load_id, record_number")
      .then(withoutLoadIds),
    warehouse.rows(
      "SELECT kind, sha256, records_read, inserted, updated, unchanged, rejected FROM loads WHERE outcome = 'loaded' ORDER BY load_id",
    ),
  ]);
}

describe.skipIf(CLICKHOUSE_URL === undefined || clickhouse === undefined)(
  "a ClickHouse commit that fails after swapping partitions",
  () => {
    it("is rolled back whole, and the run can be made again", async () => {
      const dir = await tempDir();
      const [first, second] = [await generated(dir, 1), await generated(dir, 2)];
      const warehouse = await engine().fresh(dir);
      await ingest({ warehouse: warehouse.destination, ...first, checks: false });
      const before = await content(warehouse);
      const database = /\/(\w+)\?/.exec(warehouse.args[1] ?? "")?.[1] ?? "";
      const servers = new ClickHouseServers({
        ...parseTarget(CLICKHOUSE_URL ?? ""),
        database,
      });
      let files = 0;
      try {
        const failed = ingest({
          warehouse: warehouse.destination,
          ...second,
          checks: false,
          progress: {
            // Once both files are merged, the quarantine the commit moves after its swaps goes away.
            fileFinished: () => {
              if (++files === 2) {
                void servers.exec(`RENAME TABLE ${database}.rejected_stage TO ${database}.gone`);
              }
            },
          },
        });
        await expect(failed).rejects.toThrow(/rejected_stage/);
        await servers.exec(`RENAME TABLE ${database}.gone TO ${database}.rejected_stage`);
      } finally {
        await servers.close();
      }
      expect(await content(warehouse)).toEqual(before);
      await ingest({ warehouse: warehouse.destination, ...second, checks: false });
      expect((await content(warehouse))[0]).not.toEqual(before[0]);
    }, 120_000);
  },
);

/** Servers that fail the insert of a run's `loads` rows: the step that commits it. */
class DiesBeforeItsLoads extends ClickHouseServers {
  override async insert(table: string, values: readonly object[], server = 0): Promise<void> {
    if (table.endsWith(".loads")) throw new Error("the loader died here");
    await super.insert(table, values, server);
  }
}

/** A warehouse whose process died: nothing runs after the failure. */
class DeadLoader extends ClickHouseWarehouse {
  override rollback(): Promise<void> {
    return Promise.resolve();
  }
}

describe.skipIf(CLICKHOUSE_URL === undefined || clickhouse === undefined)(
  "a ClickHouse commit cut short after its partitions were swapped in",
  () => {
    it("shows readers nothing of the run, and the next run settles it and loads it whole", async () => {
      const dir = await tempDir();
      const [first, second] = [await generated(dir, 1), await generated(dir, 2)];
      const reference = await engine().fresh(join(dir, "reference"));
      const warehouse = await engine().fresh(dir);
      for (const destination of [reference.destination, warehouse.destination]) {
        await ingest({ warehouse: destination, ...first, checks: false });
      }
      const before = await content(warehouse);
      await ingest({ warehouse: reference.destination, ...second, checks: false });
      const target = parseTarget(warehouse.args[1] ?? "");
      const dying: Destination = {
        ...warehouse.destination,
        open: () =>
          Promise.resolve(new DeadLoader(new DiesBeforeItsLoads(target), warehouse.args[1] ?? "")),
      };
      await expect(ingest({ warehouse: dying, ...second, checks: false })).rejects.toThrow(
        /the loader died here/,
      );
      const swapped = await warehouse.rows(
        `SELECT count() AS n FROM ${target.database}.commit_journal`,
      );
      expect(swapped[0]?.n, "partitions swapped in before the loader died").toBeGreaterThan(0);
      expect(await content(warehouse)).toEqual(before);

      await ingest({ warehouse: warehouse.destination, ...second, checks: false });
      expect(await content(warehouse)).toEqual(await content(reference));
    }, 120_000);
  },
);

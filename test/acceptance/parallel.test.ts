import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ingest } from "../../src/run/ingest.js";
import { generated } from "../helpers/deliveries.js";
import { ENGINES, type TestWarehouse } from "../helpers/engines.js";
import { tempDir } from "../helpers/temp-dir.js";

/** What the warehouse holds, whichever run wrote it. */
async function content(warehouse: TestWarehouse): Promise<unknown[]> {
  const withoutLoads = (rows: Record<string, unknown>[]) =>
    rows.map(({ load_id: _load, ...row }) => row);
  return [
    withoutLoads(await warehouse.rows("SELECT * FROM posts ORDER BY id")),
    withoutLoads(await warehouse.rows("SELECT * FROM votes ORDER BY id")),
    await warehouse.rows("SELECT * FROM weekly_votes_all_weeks ORDER BY week_start"),
    await warehouse.rows(
      "SELECT kind, sha256, records_read, rejected FROM loads ORDER BY kind, sha256",
    ),
  ];
}

describe.each(ENGINES)("two loaders at once on $name", (engine) => {
  it("give the same warehouse as one after the other", async () => {
    const dir = await tempDir();
    const deliveries = [await generated(dir, 1), await generated(dir, 2)];
    const together = await engine.fresh(join(dir, "together"));
    const inTurn = await engine.fresh(join(dir, "in-turn"));

    const reports = await Promise.all(
      deliveries.map((delivery) =>
        ingest({ warehouse: together.destination, ...delivery, checks: false }),
      ),
    );
    expect(reports.map((report) => report.runId).sort()).toEqual([1, 2]);
    for (const delivery of deliveries) {
      await ingest({ warehouse: inTurn.destination, ...delivery, checks: false });
    }
    expect(await content(together)).toEqual(await content(inTurn));
  });
});

import { join } from "node:path";
import { rm } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { StackhouseError } from "../../src/errors.js";
import { ingest } from "../../src/run/ingest.js";
import { rebuild } from "../../src/run/rebuild.js";
import { generated } from "../helpers/deliveries.js";
import { tempDir } from "../helpers/temp-dir.js";
import { dumpWarehouse } from "../helpers/warehouse-dump.js";

const replayedColumns = { loads: ["loaded_at", "source"] };

describe("rebuild", () => {
  it("replaces the warehouse with one replayed from the archive, equal to the original", async () => {
    const dir = await tempDir();
    const warehouse = join(dir, "warehouse.db");
    await ingest({ warehouse, ...(await generated(dir, 1)) });
    await ingest({ warehouse, ...(await generated(dir, 2)) });
    await ingest({ warehouse, ...(await generated(dir, 1)) });
    const original = dumpWarehouse(warehouse, replayedColumns);

    const report = await rebuild({ warehouse });

    expect(report.runs).toBe(3);
    expect(report.files.map((file) => file.outcome)).toEqual([
      "loaded",
      "loaded",
      "loaded",
      "loaded",
      "already-loaded",
      "already-loaded",
    ]);
    expect(dumpWarehouse(warehouse, replayedColumns)).toEqual(original);
    await rm(warehouse);
    await rebuild({ warehouse });
    expect(dumpWarehouse(warehouse, replayedColumns)).toEqual(original);
  });

  it("refuses to rebuild without an archive", async () => {
    const dir = await tempDir();
    const error: unknown = await rebuild({ warehouse: join(dir, "w.db") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StackhouseError);
    expect((error as StackhouseError).message).toBe(
      `${join(dir, "w.db.landing")}: no archived deliveries to rebuild ${join(dir, "w.db")} from`,
    );
  });
});

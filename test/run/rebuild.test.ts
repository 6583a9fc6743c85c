import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clickHouseDestination } from "../../src/clickhouse/clickhouse-destination.js";
import { StackhouseError } from "../../src/errors.js";
import { ingest } from "../../src/run/ingest.js";
import { rebuild } from "../../src/run/rebuild.js";
import { generated } from "../helpers/deliveries.js";
import { ENGINES } from "../helpers/engines.js";
import { tempDir } from "../helpers/temp-dir.js";

const replayedColumns = { loads: ["loaded_at", "source"] };

describe.each(ENGINES)("rebuild on $name", (engine) => {
  it("replaces the warehouse with one replayed from the archive, equal to the original", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const destination = warehouse.destination;
    await ingest({ warehouse: destination, ...(await generated(dir, 1)) });
    await ingest({ warehouse: destination, ...(await generated(dir, 2)) });
    await ingest({ warehouse: destination, ...(await generated(dir, 1)) });
    const original = await warehouse.dump(replayedColumns);

    const report = await rebuild({ warehouse: destination });

    expect(report.runs).toBe(3);
    expect(report.files.map((file) => file.outcome)).toEqual([
      "loaded",
      "loaded",
      "loaded",
      "loaded",
      "already-loaded",
      "already-loaded",
    ]);
    expect(await warehouse.dump(replayedColumns)).toEqual(original);
    await warehouse.drop();
    await rebuild({ warehouse: destination });
    expect(await warehouse.dump(replayedColumns)).toEqual(original);
  });

  it("refuses to rebuild without an archive", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const { archive, name } = warehouse.destination;
    if (engine.name === "sqlite") {
      expect([archive.dir, name]).toEqual([join(dir, "w.db.landing"), join(dir, "w.db")]);
    }
    const error: unknown = await rebuild({ warehouse: warehouse.destination }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StackhouseError);
    expect((error as StackhouseError).message).toBe(
      `${archive.dir}: no archived deliveries to rebuild ${name} from`,
    );
  });
});

describe.skipIf(process.env.STACKHOUSE_CLICKHOUSE_URL === undefined)(
  "rebuild on ClickHouse, its archive found by default",
  () => {
    it("says how to point at an archive kept elsewhere when the default folder has none", async () => {
      const url = process.env.STACKHOUSE_CLICKHOUSE_URL ?? "";
      const saved = process.env.XDG_DATA_HOME;
      process.env.XDG_DATA_HOME = await tempDir();
      try {
        const target = url.replace(/\/[^/?]+(\?|$)/, `/sh_no_archive_${String(process.pid)}$1`);
        const destination = clickHouseDestination(target);
        const error: unknown = await rebuild({ warehouse: destination }).catch((e: unknown) => e);
        expect((error as StackhouseError).message).toBe(
          `${destination.archive.dir}: no archived deliveries to rebuild ${target} from; if it was kept elsewhere, give its folder with --archive`,
        );
      } finally {
        if (saved === undefined) delete process.env.XDG_DATA_HOME;
        else process.env.XDG_DATA_HOME = saved;
      }
    });
  },
);

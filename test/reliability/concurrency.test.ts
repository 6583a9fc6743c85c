import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ingest } from "../../src/run/ingest.js";
import { generated, records } from "../helpers/deliveries.js";
import { ENGINES } from "../helpers/engines.js";
import { rejection } from "../helpers/errors.js";
import { tempDir } from "../helpers/temp-dir.js";
import { queryRows } from "../helpers/warehouse-dump.js";

describe.each(ENGINES)("two runs on one warehouse, on $name", (engine) => {
  it("take turns, and both deliveries end up merged", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const [first, second] = [await generated(dir, 1), await generated(dir, 2)];
    const reports = await Promise.all([
      ingest({ warehouse: warehouse.destination, ...first }),
      ingest({ warehouse: warehouse.destination, ...second }),
    ]);
    expect(reports.map((report) => report.runId).sort()).toEqual([1, 2]);
    // Both are increments: the warehouse holds every record of either.
    const ids = (kind: "posts" | "votes"): number =>
      new Set([1, 2].flatMap((snapshot) => records(snapshot)[kind].map((record) => record.Id)))
        .size;
    expect(await warehouse.rows("SELECT count(*) AS n FROM posts")).toEqual([{ n: ids("posts") }]);
    expect(await warehouse.rows("SELECT count(*) AS n FROM votes")).toEqual([{ n: ids("votes") }]);
    if (engine.name === "sqlite") {
      const db = warehouse.args[1] ?? "";
      expect(queryRows(db, "PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
    }
  });

  it("gives up with a clear message when the other run holds the warehouse too long", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    await writeFile(warehouse.lockPath, String(process.pid));
    const error = await rejection(
      ingest({ warehouse: warehouse.destination, ...(await generated(dir)), lockTimeoutMs: 300 }),
    );
    expect(error.code).toBe("BUSY");
    expect(error.exitCode).toBe(8);
    expect(error.message).toBe(
      `${warehouse.destination.name}: another stackhouse run (pid ${String(process.pid)}) is writing this warehouse; waited 0 s, try again later`,
    );
  });

  it("takes over a lock left by a run that was killed", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
      encoding: "utf8",
    });
    await writeFile(warehouse.lockPath, gone.stdout);
    const report = await ingest({
      warehouse: warehouse.destination,
      ...(await generated(dir)),
      lockTimeoutMs: 300,
      checks: false,
    });
    expect(report.runId).toBe(1);
  });
});

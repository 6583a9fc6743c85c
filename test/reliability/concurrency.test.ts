import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ingest } from "../../src/run/ingest.js";
import { generated, records } from "../helpers/deliveries.js";
import { rejection } from "../helpers/errors.js";
import { tempDir } from "../helpers/temp-dir.js";
import { queryRows } from "../helpers/warehouse-dump.js";

describe("two runs on one warehouse", () => {
  it("take turns, and both deliveries end up merged", async () => {
    const dir = await tempDir();
    const warehouse = join(dir, "w.db");
    const [first, second] = [await generated(dir, 1), await generated(dir, 2)];
    const reports = await Promise.all([
      ingest({ warehouse, ...first }),
      ingest({ warehouse, ...second }),
    ]);
    expect(reports.map((report) => report.runId).sort()).toEqual([1, 2]);
    // Both are increments: the warehouse holds every record of either.
    const ids = (kind: "posts" | "votes"): number =>
      new Set([1, 2].flatMap((snapshot) => records(snapshot)[kind].map((record) => record.Id)))
        .size;
    expect(queryRows(warehouse, "SELECT count(*) AS n FROM posts")).toEqual([{ n: ids("posts") }]);
    expect(queryRows(warehouse, "SELECT count(*) AS n FROM votes")).toEqual([{ n: ids("votes") }]);
    expect(queryRows(warehouse, "PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
  });

  it("gives up with a clear message when the other run holds the warehouse too long", async () => {
    const dir = await tempDir();
    const warehouse = join(dir, "w.db");
    await writeFile(`${warehouse}.lock`, String(process.pid));
    const error = await rejection(
      ingest({ warehouse, ...(await generated(dir)), lockTimeoutMs: 300 }),
    );
    expect(error.code).toBe("BUSY");
    expect(error.exitCode).toBe(8);
    expect(error.message).toBe(
      `${warehouse}: another stackhouse run (pid ${String(process.pid)}) is writing this warehouse; waited 0 s, try again later`,
    );
  });

  it("takes over a lock left by a run that was killed", async () => {
    const dir = await tempDir();
    const warehouse = join(dir, "w.db");
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
      encoding: "utf8",
    });
    await writeFile(`${warehouse}.lock`, gone.stdout);
    const report = await ingest({ warehouse, ...(await generated(dir)), lockTimeoutMs: 300 });
    expect(report.runId).toBe(1);
  });
});

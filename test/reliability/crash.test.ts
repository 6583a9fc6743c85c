import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCrashHarness } from "../../tools/crash/crash-harness.js";
import { tempDir } from "../helpers/temp-dir.js";

const KILLS = 24;

describe("runs killed with SIGKILL at random moments", () => {
  it(`leave the warehouse before or after the run, and recover to the same end (${String(KILLS)} kill points)`, async () => {
    const seed = Date.now() % 100_000;
    const lines: string[] = [];
    const results = await runCrashHarness({
      kills: KILLS,
      seed,
      work: join(await tempDir(), "crash"),
      cli: "sources",
      log: (line) => lines.push(line),
    });
    console.info(`crash harness, seed ${String(seed)}:\n${lines.join("\n")}`);
    expect(results).toHaveLength(KILLS);
    expect(results.filter((result) => result.killed).length).toBeGreaterThanOrEqual(KILLS / 2);
    expect(results.flatMap((result) => result.problems)).toEqual([]);
  }, 300_000);
});

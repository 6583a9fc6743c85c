import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCrashHarness } from "../../tools/crash/crash-harness.js";
import { CLICKHOUSE_URL, ENGINES } from "../helpers/engines.js";
import { tempDir } from "../helpers/temp-dir.js";

/**
 * Kill points per engine, sized for CI's time budget (`npm run test:crash -- --kills N` goes
 * deeper); ClickHouse runs are slower, so they load a quarter of the records.
 */
const RUNS = {
  sqlite: { kills: 12, scale: 1 },
  clickhouse: { kills: 4, scale: 0.25 },
} as const;

describe.each(ENGINES)("runs killed with SIGKILL at random moments, on $name", (engine) => {
  const { kills, scale } = RUNS[engine.name];
  it(`leave readers the warehouse before or after the run, and recover to the same end (${String(kills)} kill points)`, async () => {
    const seed = Date.now() % 100_000;
    const lines: string[] = [];
    const results = await runCrashHarness({
      kills,
      seed,
      scale,
      work: join(await tempDir(), "crash"),
      cli: "sources",
      clickhouse: engine.name === "clickhouse" ? CLICKHOUSE_URL : undefined,
      log: (line) => lines.push(line),
    });
    console.info(`crash harness on ${engine.name}, seed ${String(seed)}:\n${lines.join("\n")}`);
    expect(results).toHaveLength(kills);
    expect(results.filter((result) => result.killed).length).toBeGreaterThanOrEqual(kills / 2);
    expect(results.flatMap((result) => result.problems)).toEqual([]);
  }, 600_000);
});

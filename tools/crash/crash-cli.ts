/**
 * `npm run test:crash -- --kills 500 [--target clickhouse://...]`: the kill harness, run longer
 * than the test suite does, on the built CLI (what users run; the script builds it first), into
 * SQLite files or a ClickHouse target. Exits 1 when any kill point breaks a promise.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { runCrashHarness } from "./crash-harness.js";

const program = new Command("test:crash")
  .description(
    "Kill stackhouse runs at random moments and check that nothing is lost or half-loaded.",
  )
  .option("--kills <n>", "kill points", "40")
  .option("--seed <n>", "seed of the kill moments", String(Date.now() % 1_000_000))
  .option("--work <dir>", "scratch folder", join(tmpdir(), "stackhouse-crash"))
  .option("--target <url>", "kill runs into databases of this ClickHouse target, not SQLite files")
  .action(async (flags: { kills: string; seed: string; work: string; target?: string }) => {
    const results = await runCrashHarness({
      kills: Number(flags.kills),
      seed: Number(flags.seed),
      work: flags.work,
      clickhouse: flags.target,
      cli: "build",
      log: (line) => process.stdout.write(`${line}\n`),
    });
    const failed = results.filter((result) => result.problems.length > 0);
    const killed = results.filter((result) => result.killed).length;
    const states = ["before", "after"].map(
      (state) =>
        `${String(results.filter((result) => result.stateAfterKill === state).length)} ${state}`,
    );
    process.stdout.write(
      `${String(results.length)} kill points (seed ${flags.seed}), ${String(killed)} killed mid-run (${states.join(", ")}): ${String(results.length - failed.length)} passed, ${String(failed.length)} failed\n`,
    );
    process.exitCode = failed.length === 0 ? 0 : 1;
  });

await program.parseAsync(process.argv.slice(2), { from: "user" });

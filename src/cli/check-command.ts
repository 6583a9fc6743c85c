import { existsSync } from "node:fs";
import type { Command } from "commander";
import { runChecks, type CheckReport } from "../check/run-checks.js";
import { parseTarget, type ClickHouseTarget } from "../clickhouse/target-url.js";
import { StackhouseError } from "../errors.js";
import { isMissingOrEmptyFile } from "../run/warehouse-file.js";
import { openWarehouse } from "../warehouse/open-warehouse.js";
import type { CliIo } from "./io.js";
import { renderChecks } from "./render-checks.js";

/** `stackhouse check`: run the data-quality checks over the whole warehouse. */
export function addCheckCommand(program: Command, io: CliIo, done: (code: number) => void): void {
  program
    .command("check")
    .summary("run the data-quality checks over the whole warehouse")
    .description(
      "Run every data-quality check over the whole warehouse, print each with its severity,\n" +
        "the number of failing rows and a sample of their ids, and store the results in\n" +
        "check_runs and check_results. Exits 6 when a check of error severity finds problems.\n" +
        "With --target, checks a ClickHouse warehouse (latest versions; results in check_results).",
    )
    .option("--json", "print the results as JSON instead of a table")
    .action(async (_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<{
        readonly db: string;
        readonly target?: string;
        readonly json?: boolean;
      }>();
      const report =
        flags.target === undefined
          ? checkSqlite(flags.db)
          : await checkClickHouse(parseTarget(flags.target));
      io.stdout.write(
        flags.json === true ? `${JSON.stringify(report, null, 2)}\n` : `${renderChecks(report)}\n`,
      );
      if (report.errors.length > 0) {
        const names = report.errors
          .map((result) => `${result.name} (${result.failing})`)
          .join(", ");
        const error = new StackhouseError(
          "CHECK_FAILED",
          `checks of error severity failed: ${names}`,
        );
        io.stderr.write(`stackhouse: ${error.message}\n`);
        done(error.exitCode);
      }
    });
}

function checkSqlite(path: string): CheckReport {
  if (isMissingOrEmptyFile(path)) {
    const empty = existsSync(path) ? " (an empty file)" : "";
    throw new StackhouseError(
      "WAREHOUSE",
      `${path}: no warehouse here${empty}; ingest a delivery first${empty === "" ? "" : `, or re-create it from its landing archive with: stackhouse rebuild --db ${path}`}`,
    );
  }
  const db = openWarehouse(path);
  try {
    return runChecks(db, new Date(), null);
  } finally {
    db.close();
  }
}

/** Loaded only for a ClickHouse target, so SQLite runs do not pay for the client. */
async function checkClickHouse(target: ClickHouseTarget): Promise<CheckReport> {
  const { runClickHouseChecks } = await import("../clickhouse/clickhouse-checks.js");
  return runClickHouseChecks(target, new Date());
}

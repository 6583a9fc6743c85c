import { existsSync } from "node:fs";
import type { Command } from "commander";
import { runChecks } from "../check/run-checks.js";
import { StackhouseError } from "../errors.js";
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
        "check_runs and check_results. Exits 6 when a check of error severity finds problems.",
    )
    .option("--json", "print the results as JSON instead of a table")
    .action((_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<{ readonly db: string; readonly json?: boolean }>();
      if (!existsSync(flags.db)) {
        throw new StackhouseError(
          "WAREHOUSE",
          `${flags.db}: no warehouse here; ingest a delivery first`,
        );
      }
      const db = openWarehouse(flags.db);
      const report = (() => {
        try {
          return runChecks(db, new Date(), null);
        } finally {
          db.close();
        }
      })();
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

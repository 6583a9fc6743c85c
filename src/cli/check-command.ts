import type { Command } from "commander";
import { runChecks } from "../check/run-checks.js";
import { StackhouseError } from "../errors.js";
import { helpExamples } from "./help-examples.js";
import type { CliIo } from "./io.js";
import { renderChecks } from "./render-checks.js";
import { withWarehouse, type WarehouseFlags } from "./warehouse-option.js";

/** `stackhouse check`: run the data-quality checks over the whole warehouse. */
export function addCheckCommand(program: Command, io: CliIo): void {
  program
    .command("check")
    .summary("run the data-quality checks over the whole warehouse")
    .description(
      "Run every data-quality check over the whole warehouse, print each with its severity, " +
        "the number of failing rows and a sample of their ids, and store the results in " +
        "check_runs and check_results. Exits 6 when a check of error severity finds problems. " +
        "With --target, checks a ClickHouse warehouse the same way.",
    )
    .addHelpText(
      "after",
      helpExamples([
        ["npx stackhouse check", "every check over warehouse.db"],
        ["npx stackhouse check --json > checks.json", "the results as JSON, for a scheduler"],
      ]),
    )
    .option("--json", "print the results as JSON instead of a table")
    .action(async (_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<WarehouseFlags & { readonly json?: boolean }>();
      const report = await withWarehouse(flags, "write", (warehouse) =>
        runChecks(warehouse, new Date(), null),
      );
      io.stdout.write(
        flags.json === true ? `${JSON.stringify(report, null, 2)}\n` : `${renderChecks(report)}\n`,
      );
      if (report.errors.length > 0) {
        const names = report.errors
          .map((result) => `${result.name} (${result.failing})`)
          .join(", ");
        throw new StackhouseError("CHECK_FAILED", `checks of error severity failed: ${names}`);
      }
    });
}

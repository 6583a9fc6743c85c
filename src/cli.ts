import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { addCheckCommand } from "./cli/check-command.js";
import { helpExamples } from "./cli/help-examples.js";
import { addIngestCommand } from "./cli/ingest-command.js";
import { processIo, type CliIo } from "./cli/io.js";
import { printable } from "./cli/printable.js";
import { addQueryCommand } from "./cli/query-command.js";
import { addRebuildCommand } from "./cli/rebuild-command.js";
import { addReportCommand } from "./cli/report-command.js";
import { addServeCommand } from "./cli/serve-command.js";
import { settleWarehouseOptions } from "./cli/warehouse-option.js";
import { EXIT_INTERNAL, EXIT_OK, StackhouseError } from "./errors.js";

const USAGE_EXIT = new StackhouseError("USAGE", "").exitCode;
/** An error is one line: it may quote a delivery (a parser's message), so it is escaped and bounded. */
const MAX_ERROR_CHARS = 10_000;
const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

/** `--db` takes a path; a value that looks like an option is a forgotten path. */
function warehousePath(text: string): string {
  if (text.startsWith("-") || text.trim() === "") {
    throw new InvalidArgumentError("give the warehouse file's path.");
  }
  return text;
}

/**
 * Runs the stackhouse command line and returns the exit code; the only place that decides it.
 * Arguments and output streams are injected, so tests never touch the process.
 *
 * @example
 * const code = await run(["ingest", "Posts.json", "Votes.json", "--db", "w.db"]);
 */
export async function run(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = new Command("stackhouse")
    .description(
      "Stack Exchange posts and votes, merged delivery by delivery into a SQLite or ClickHouse warehouse.",
    )
    .version(VERSION)
    .option(
      "--db <path>",
      "the warehouse file (anywhere on the line)",
      warehousePath,
      "warehouse.db",
    )
    .addOption(
      new Option(
        "--target <url>",
        "a ClickHouse warehouse instead: clickhouse://HOST:PORT[,HOST:PORT]/DB[?cluster=NAME] (or set STACKHOUSE_TARGET)",
      ).env("STACKHOUSE_TARGET"),
    )
    .option(
      "--archive <dir>",
      "where a ClickHouse target's landing archive is kept (default: a folder per target under ~/.local/share/stackhouse/clickhouse)",
    )
    .exitOverride()
    .hook("preAction", () => {
      settleWarehouseOptions(program);
    })
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => {
        const line = text
          .replace(/^error: /, "")
          .trim()
          .replace(/\s*\n\s*/g, " ");
        write(`stackhouse: ${line} (see --help)\n`);
      },
    })
    .addHelpText(
      "after",
      helpExamples([
        [
          "npx stackhouse --db w.db Posts.json Votes.json",
          "merge a delivery, check it, print the answer",
        ],
        ['npx stackhouse query --db w.db "SELECT * FROM weekly_votes"', "ask in SQL (read-only)"],
        ["npx stackhouse report --db w.db --html report.html", "the weekly answer with charts"],
        [
          "npx stackhouse rebuild --db w.db",
          "re-create a deleted warehouse from its landing archive",
        ],
        ["npx stackhouse help query", "every option of one command, with examples"],
      ]),
    );
  addIngestCommand(program, io);
  addRebuildCommand(program, io);
  addCheckCommand(program, io);
  addQueryCommand(program, io);
  addReportCommand(program, io);
  addServeCommand(program, io);

  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      const helpShown = ["commander.helpDisplayed", "commander.help", "commander.version"].includes(
        error.code,
      );
      return helpShown ? EXIT_OK : USAGE_EXIT;
    }
    if (error instanceof StackhouseError) {
      io.stderr.write(`stackhouse: ${printable(error.message, MAX_ERROR_CHARS)}\n`);
      return error.exitCode;
    }
    io.stderr.write(
      `stackhouse: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT_INTERNAL;
  }
}

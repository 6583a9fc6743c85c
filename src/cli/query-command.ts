import type { Command } from "commander";
import { StackhouseError } from "../errors.js";
import { querySource } from "../query/query-text.js";
import { startQuery } from "../query/start-query.js";
import { DEFAULT_TIMEOUT_SECONDS } from "../query/time-limit.js";
import { OUTPUT_FORMATS, writeRows, type OutputFormat, type RowSink } from "../query/write-rows.js";
import { helpExamples } from "./help-examples.js";
import type { CliIo } from "./io.js";
import { openOutputFile } from "./output-file.js";
import { outputTarget } from "./output-target.js";
import { existingDestination } from "./warehouse-option.js";
import { oneOf, seconds, wholeNumber } from "./option-parsers.js";

/** Rows a terminal shows when no --limit is given; files and pipes get every row. */
export const TERMINAL_ROW_LIMIT = 1000;

interface QueryFlags {
  readonly db: string;
  readonly file?: string;
  readonly format?: OutputFormat;
  readonly output?: string;
  readonly limit?: number;
  readonly timeout: number;
  readonly sede?: boolean;
  readonly target?: string;
  readonly archive?: string;
}

/** `stackhouse query SQL`: read-only SQL over the warehouse. */
export function addQueryCommand(program: Command, io: CliIo): void {
  program
    .command("query")
    .summary("run a read-only SQL query and print the rows")
    .description(
      "Run one SQL query on the warehouse, opened read-only: anything that would write is refused. " +
        "Prints an aligned table on a terminal (the first 1000 rows) and CSV otherwise, unless --format says; " +
        "files and pipes get every row.",
    )
    .addHelpText(
      "after",
      helpExamples([
        [
          'npx stackhouse query "SELECT * FROM weekly_votes"',
          "the weekly answer, as a table on a terminal",
        ],
        [
          'npx stackhouse query "SELECT * FROM votes" --output votes.csv',
          "every vote, as CSV (never cut)",
        ],
        [
          'npx stackhouse query --sede "SELECT Id, Score FROM Posts ORDER BY Score DESC LIMIT 5"',
          "Stack Exchange Data Explorer names",
        ],
      ]),
    )
    .argument("[sql]", "the query (or use --file)")
    .option("--file <path>", "read the query from a file (at most 1 MiB)")
    .option(
      "--format <format>",
      `output format: ${OUTPUT_FORMATS.join(", ")}`,
      oneOf(OUTPUT_FORMATS),
    )
    .option("--output <path>", "write the rows to a file instead of stdout")
    .option(
      "--limit <rows>",
      `stop after this many rows, 0 for all (default: ${TERMINAL_ROW_LIMIT} on a terminal, all in a file or pipe)`,
      wholeNumber("rows"),
    )
    .option(
      "--timeout <seconds>",
      "stop the query when no row has come for this long (0 for no limit)",
      seconds,
      DEFAULT_TIMEOUT_SECONDS,
    )
    .option(
      "--sede",
      "add Stack Exchange Data Explorer names: Posts, Votes, VoteTypes, PostTypes, Tags, PostTags",
    )
    .action(async (sql: string | undefined, _options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<QueryFlags>();
      const text = querySource(sql, flags.file);
      const onTerminal = io.stdout.isTTY === true && flags.output === undefined;
      const format = flags.format ?? (onTerminal ? "table" : "csv");
      const limit = flags.limit ?? (onTerminal ? TERMINAL_ROW_LIMIT : 0);
      if (format === "parquet" && onTerminal) {
        throw new StackhouseError(
          "USAGE",
          "--format parquet writes a binary file: give --output FILE, or redirect standard output",
        );
      }
      const destination = await existingDestination(flags);
      const target =
        flags.output === undefined
          ? undefined
          : outputTarget(flags.output, destination, "--output");
      const rows = await startQuery(flags, text, {
        sede: flags.sede === true,
        limit,
        timeoutSeconds: flags.timeout,
        exactIntegers: format === "parquet",
      });
      const file = target === undefined ? undefined : openOutputFile(target);
      try {
        const summary = await writeRows(
          format,
          rows.columns,
          rows.batches,
          file ?? streamSink(io.stdout),
          limit,
        );
        file?.commit();
        if (summary.truncated) {
          io.stderr.write(
            `note: showing the first ${summary.written} rows; more were cut (--limit 0 shows all)\n`,
          );
        }
      } catch (error) {
        file?.discard();
        throw error;
      }
    });
}

/** Writes to a stream, waiting for it to drain when it says it is full. */
function streamSink(stream: CliIo["stdout"]): RowSink {
  return {
    write(text) {
      const accepted = stream.write(text);
      if (accepted !== false || !hasOnce(stream)) return undefined;
      return new Promise<void>((resolve) => {
        stream.once("drain", () => {
          resolve();
        });
      });
    },
  };
}

function hasOnce(
  stream: object,
): stream is { once(event: "drain", listener: () => void): unknown } {
  return typeof (stream as { once?: unknown }).once === "function";
}

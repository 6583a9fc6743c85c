import { InvalidArgumentError, type Command } from "commander";
import { StackhouseError } from "../errors.js";
import { parseTarget } from "../clickhouse/target-url.js";
import { queryInChild } from "../query/query-in-child.js";
import { querySource } from "../query/query-text.js";
import type { RowStream } from "../query/row-stream.js";
import { DEFAULT_TIMEOUT_SECONDS } from "../query/time-limit.js";
import { OUTPUT_FORMATS, writeRows, type OutputFormat, type RowSink } from "../query/write-rows.js";
import type { CliIo } from "./io.js";
import { openOutputFile } from "./output-file.js";
import { outputTarget } from "./output-target.js";
import { destinationOf } from "./warehouse-option.js";
import { wholeNumber } from "./option-parsers.js";

/** Rows shown when no --limit is given. */
export const DEFAULT_ROW_LIMIT = 1000;

interface QueryFlags {
  readonly db: string;
  readonly file?: string;
  readonly format?: OutputFormat;
  readonly output?: string;
  readonly limit: number;
  readonly timeout: number;
  readonly sede?: boolean;
  readonly target?: string;
  readonly archive?: string;
}

function formatOption(text: string): OutputFormat {
  const format = OUTPUT_FORMATS.find((candidate) => candidate === text);
  if (format === undefined)
    throw new InvalidArgumentError(`choose one of ${OUTPUT_FORMATS.join(", ")}.`);
  return format;
}

function secondsOption(text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text)) {
    throw new InvalidArgumentError("give a number of seconds (0 for no limit).");
  }
  return Number(text);
}

/** `stackhouse query SQL`: read-only SQL over the warehouse. */
export function addQueryCommand(program: Command, io: CliIo): void {
  program
    .command("query")
    .summary("run a read-only SQL query and print the rows")
    .description(
      "Run one SQL query on the warehouse, opened read-only: anything that would write is refused.\n" +
        "Prints an aligned table on a terminal and CSV otherwise, unless --format says.",
    )
    .argument("[sql]", "the query (or use --file)")
    .option("--file <path>", "read the query from a file (at most 1 MiB)")
    .option("--format <format>", `output format: ${OUTPUT_FORMATS.join(", ")}`, formatOption)
    .option("--output <path>", "write the rows to a file instead of stdout")
    .option(
      "--limit <rows>",
      "stop after this many rows (0 for all)",
      wholeNumber("rows"),
      DEFAULT_ROW_LIMIT,
    )
    .option(
      "--timeout <seconds>",
      "stop the query when no row has come for this long (0 for no limit)",
      secondsOption,
      DEFAULT_TIMEOUT_SECONDS,
    )
    .option(
      "--sede",
      "add Stack Exchange Data Explorer names: Posts, Votes, VoteTypes, PostTypes, Tags, PostTags",
    )
    .action(async (sql: string | undefined, _options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<QueryFlags>();
      const text = querySource(sql, flags.file);
      const format =
        flags.format ?? (io.stdout.isTTY === true && flags.output === undefined ? "table" : "csv");
      const target =
        flags.output === undefined
          ? undefined
          : outputTarget(flags.output, await destinationOf(flags), "--output");
      const rows = await runQuery(flags, text);
      const file = target === undefined ? undefined : openOutputFile(target);
      try {
        const summary = await writeRows(
          format,
          rows.columns,
          rows.batches,
          file ?? streamSink(io.stdout),
          flags.limit,
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

/** Starts the query where it can be stopped: a child process, or the ClickHouse server. */
async function runQuery(flags: QueryFlags, sql: string): Promise<RowStream> {
  const bounds = { limit: flags.limit, timeoutSeconds: flags.timeout };
  if (flags.target !== undefined) {
    if (flags.sede === true) {
      throw new StackhouseError("USAGE", "--sede adds SQLite views; a ClickHouse target has none");
    }
    // Loaded only for a ClickHouse target, so SQLite runs do not pay for the client.
    const { clickHouseReadQuery } = await import("../clickhouse/clickhouse-query.js");
    return clickHouseReadQuery(parseTarget(flags.target), sql, bounds);
  }
  return queryInChild({ db: flags.db, sql, sede: flags.sede === true, ...bounds });
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

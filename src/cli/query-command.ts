import { readFileSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { StackhouseError } from "../errors.js";
import { parseTarget } from "../clickhouse/target-url.js";
import { prepareReadQuery, type ReadQuery } from "../query/read-only-query.js";
import { addSedeViews } from "../query/sede-views.js";
import { OUTPUT_FORMATS, writeRows, type OutputFormat } from "../query/write-rows.js";
import { readWarehouse } from "../warehouse/open-warehouse.js";
import type { CliIo } from "./io.js";
import { writeWholeFile } from "./output-file.js";
import { wholeNumber } from "./option-parsers.js";

/** Rows shown when no --limit is given. */
export const DEFAULT_ROW_LIMIT = 1000;

interface QueryFlags {
  readonly db: string;
  readonly file?: string;
  readonly format?: OutputFormat;
  readonly output?: string;
  readonly limit: number;
  readonly sede?: boolean;
  readonly target?: string;
}

function formatOption(text: string): OutputFormat {
  const format = OUTPUT_FORMATS.find((candidate) => candidate === text);
  if (format === undefined)
    throw new InvalidArgumentError(`choose one of ${OUTPUT_FORMATS.join(", ")}.`);
  return format;
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
    .option("--file <path>", "read the query from a file")
    .option("--format <format>", `output format: ${OUTPUT_FORMATS.join(", ")}`, formatOption)
    .option("--output <path>", "write the rows to a file instead of stdout")
    .option(
      "--limit <rows>",
      "stop after this many rows (0 for all)",
      wholeNumber("rows"),
      DEFAULT_ROW_LIMIT,
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
      const write = (query: ReadQuery): void => {
        const output = flags.output;
        const summary = (() => {
          try {
            return output === undefined
              ? writeRows(format, query.columns, query.rows, io.stdout, flags.limit)
              : writeWholeFile(output, (text) =>
                  writeRows(format, query.columns, query.rows, { write: text }, flags.limit),
                );
          } finally {
            query.rows.return?.();
          }
        })();
        if (summary.truncated) {
          io.stderr.write(
            `note: showing the first ${summary.written} rows; more were cut (--limit 0 shows all)\n`,
          );
        }
      };
      if (flags.target !== undefined) {
        // Loaded only for a ClickHouse target, so SQLite runs do not pay for the client.
        const { clickHouseReadQuery } = await import("../clickhouse/clickhouse-query.js");
        write(await clickHouseReadQuery(parseTarget(flags.target), text));
        return;
      }
      readWarehouse(flags.db, (db) => {
        if (flags.sede === true) addSedeViews(db);
        write(prepareReadQuery(db, text));
      });
    });
}

function querySource(sql: string | undefined, file: string | undefined): string {
  if (sql === undefined && file === undefined) {
    throw new StackhouseError("USAGE", "give the query as an argument or with --file");
  }
  if (sql !== undefined && file !== undefined) {
    throw new StackhouseError("USAGE", "give the query as an argument or with --file, not both");
  }
  if (file === undefined) return sql ?? "";
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new StackhouseError("USAGE", `${file}: cannot read the query file`, { cause: error });
  }
}

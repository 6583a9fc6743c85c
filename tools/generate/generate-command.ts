import { stat } from "node:fs/promises";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import type { CliIo } from "../../src/cli/io.js";
import { StackhouseError } from "../../src/errors.js";
import { generateDelivery, type DeliveryFormat } from "./write-delivery.js";

interface ParsedOptions {
  readonly posts: number;
  readonly votes: number;
  readonly out: string;
  readonly seed: number;
  readonly snapshot: number;
  readonly increment?: true;
  readonly gzip?: true;
  readonly format: DeliveryFormat;
}

const EXIT_OK = 0;
const EXIT_WRITE_FAILED = 1;
const EXIT_USAGE = new StackhouseError("USAGE", "").exitCode;

function integerParser(min: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
      throw new InvalidArgumentError(`expected an integer >= ${min}.`);
    }
    return value;
  };
}

function parseSeed(text: string): number {
  return integerParser(Number.MIN_SAFE_INTEGER)(text);
}

function buildProgram(output: CliIo): Command {
  return new Command("generate")
    .description(
      "Write a seeded, realistic Stack Exchange delivery (Posts.json, Votes.json) in the " +
        "supplier's layout, or the data dump's (Posts.xml, Votes.xml; with --format 7z, " +
        "generated.stackexchange.com.7z holding those and a Users.xml). Snapshot k+1 repeats snapshot k with ~10% new records and ~5% " +
        "changed posts, and deletes ~1% of posts and votes; one deleted record in five comes " +
        "back two snapshots later.",
    )
    .requiredOption(
      "--posts <n>",
      "post ids in snapshot 1 (before deleted posts)",
      integerParser(1),
    )
    .requiredOption("--votes <n>", "votes in snapshot 1 (approximate)", integerParser(0))
    .requiredOption("--out <dir>", "folder to write the files into (created if missing)")
    .option("--seed <n>", "same seed, same bytes", parseSeed, 1)
    .option("--snapshot <k>", "which snapshot to write, 1 for the first", integerParser(1), 1)
    .option(
      "--increment",
      "write only what snapshot k adds to k-1: new, changed and restored records, no deletions",
    )
    .option("--gzip", "write Posts.json.gz and Votes.json.gz (or .xml.gz)")
    .addOption(
      new Option(
        "--format <layout>",
        "json: the supplier's layout; xml: the data dump's Posts.xml and Votes.xml; 7z: a site's dump archive",
      )
        .choices(["json", "xml", "7z"])
        .default("json"),
    )
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => output.stdout.write(text),
      writeErr: (text) => output.stderr.write(text),
    });
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  const units = ["KiB", "MiB", "GiB"] as const;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit] ?? "GiB"}`;
}

async function reportLine(path: string, records: number | string): Promise<string> {
  const { size } = await stat(path);
  const what = typeof records === "number" ? `${records.toLocaleString("en-US")} records` : records;
  return `wrote ${path}: ${what}, ${formatBytes(size)}\n`;
}

/**
 * Runs the `generate` command line: parses `argv` (arguments only, no node or script path),
 * writes the delivery and reports what it wrote. Returns the exit code instead of exiting, so it
 * can be tested: 0 on success (and for --help), 2 on bad arguments, 1 when writing fails.
 *
 * @example
 * const code = await runGenerateCommand(["--posts", "1000", "--votes", "3000", "--out", "/tmp/x"], process);
 */
export async function runGenerateCommand(argv: readonly string[], output: CliIo): Promise<number> {
  const program = buildProgram(output);
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    throw error;
  }
  const options = program.opts<ParsedOptions>();
  if (options.format === "7z" && options.gzip === true) {
    output.stderr.write("error: --gzip does not apply to --format 7z: the archive is compressed\n");
    return EXIT_USAGE;
  }
  try {
    const result = await generateDelivery({
      posts: options.posts,
      votes: options.votes,
      seed: options.seed,
      snapshot: options.snapshot,
      delivery: options.increment === true ? "increment" : "snapshot",
      outDir: options.out,
      gzip: options.gzip === true,
      format: options.format,
    });
    if (result.archivePath === undefined) {
      output.stdout.write(await reportLine(result.postsPath, result.postsWritten));
      output.stdout.write(await reportLine(result.votesPath, result.votesWritten));
    } else {
      const records = `${result.postsWritten.toLocaleString("en-US")} posts and ${result.votesWritten.toLocaleString("en-US")} votes`;
      output.stdout.write(await reportLine(result.archivePath, records));
    }
    return EXIT_OK;
  } catch (error) {
    if (error instanceof RangeError) {
      output.stderr.write(`error: ${error.message}\n`);
      return EXIT_USAGE;
    }
    const reason = error instanceof Error ? error.message : String(error);
    output.stderr.write(`error: cannot write the delivery to ${options.out}: ${reason}\n`);
    return EXIT_WRITE_FAILED;
  }
}

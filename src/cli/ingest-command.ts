import { existsSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import type { CheckReport } from "../check/run-checks.js";
import type { Severity } from "../check/checks.js";
import { StackhouseError } from "../errors.js";
import { ingest } from "../run/ingest.js";
import { DEFAULT_MAX_REJECTED_SHARE } from "../validate/reject-threshold.js";
import { didYouMean } from "./did-you-mean.js";
import { helpExamples } from "./help-examples.js";
import type { CliIo } from "./io.js";
import { oneOf, recordCount, shareOfRecords } from "./option-parsers.js";
import { printable } from "./printable.js";
import { progressBar } from "./progress-bar.js";
import { renderCheckFindings } from "./render-checks.js";
import { renderFileReports, renderReplay } from "./render-report.js";
import { renderAnswerSummary, renderWeeklySeries } from "./render-weekly-answer.js";
import { destinationOf, withWarehouse, type WarehouseFlags } from "./warehouse-option.js";

/** Weeks of the series printed after an ingest (the report shows more). */
const RECENT_WEEKS = 8;

/** The bundled sample delivery, ingested when no files are given. */
export const SAMPLE_DELIVERY = {
  posts: fileURLToPath(new URL("../../data/sample/Posts.json", import.meta.url)),
  votes: fileURLToPath(new URL("../../data/sample/Votes.json", import.meta.url)),
} as const;

interface IngestFlags extends WarehouseFlags {
  readonly json?: boolean;
  readonly maxRejected: number;
  readonly checks: boolean;
  readonly failOn?: Severity;
  readonly newHistory?: boolean;
  readonly snapshot?: boolean;
  readonly maxDeleted?: number;
  readonly expectPosts?: number;
  readonly expectVotes?: number;
}

/** `stackhouse ingest [posts votes]`: merge one delivery into the warehouse. */
export function addIngestCommand(program: Command, io: CliIo): void {
  program
    .command("ingest", { isDefault: true })
    .summary("merge a delivery (posts, votes, or both) into the warehouse")
    .description(
      "Merge a delivery into the warehouse in one transaction: every file lands, or none does. " +
        "A delivery is one file or several, each told to hold posts or votes by its content: " +
        "a JSON array (any layout) or NDJSON, or the Stack Exchange data dump's XML (Posts.xml, Votes.xml), optionally gzip-compressed, or a site's data dump archive (.7z).\n\n" +
        "A missing warehouse is re-created from its landing archive first. " +
        "With no files, ingests the bundled sample delivery.",
    )
    .addHelpText(
      "after",
      helpExamples([
        ["npx stackhouse Posts.json Votes.json", "merge a delivery into warehouse.db"],
        [
          "npx stackhouse devops.stackexchange.com.7z",
          "a site's Stack Exchange data dump: its Posts.xml and Votes.xml",
        ],
        [
          "npx stackhouse Votes-2021-09.json.gz --fail-on error",
          "votes alone; exit 6 if a check of error severity fails",
        ],
        [
          "npx stackhouse Posts.json Votes.json --snapshot --target clickhouse://127.0.0.1:8123/stackhouse",
          "full snapshots into ClickHouse: what they lack is marked deleted",
        ],
      ]),
    )
    .argument("[files...]", "the delivery's posts and votes files, in any order")
    .option("--json", "print the run report as JSON instead of tables")
    .option(
      "--max-rejected <share>",
      "refuse a file when more than this share of its records fails validation (5% or 0.05)",
      shareOfRecords,
      DEFAULT_MAX_REJECTED_SHARE,
    )
    .option("--no-checks", "skip the data-quality checks after the load")
    .option(
      "--fail-on <severity>",
      "exit 6 after committing when a check of this severity (error, or warning and above) fails",
      oneOf<Severity>(["error", "warning"]),
    )
    .option(
      "--snapshot",
      "the files are full snapshots: records of their kind they lack are marked deleted (default: increments, nothing deleted)",
    )
    .option(
      "--max-deleted <share>",
      "refuse a full snapshot that would delete more than this share of a kind's records, as a cut-short one would (default 5%)",
      shareOfRecords,
    )
    .option(
      "--expect-posts <records>",
      "the supplier's control total: the posts file must hold exactly this many records",
      recordCount,
    )
    .option(
      "--expect-votes <records>",
      "the supplier's control total: the votes file must hold exactly this many records",
      recordCount,
    )
    .option(
      "--new-history",
      "start a new landing archive for a warehouse whose archive is gone (a re-creation then has only the runs from now on)",
    )
    .action(async (given: string[], _options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<IngestFlags>();
      const [first] = given;
      if (first !== undefined && !existsSync(first) && mayBeCommand(first, command)) {
        mistypedCommand(first, given, command);
      }
      if (flags.failOn !== undefined && !flags.checks) {
        throw new StackhouseError("USAGE", "--fail-on needs the checks that --no-checks skips");
      }
      const files =
        given.length > 0
          ? given
          : Object.values(SAMPLE_DELIVERY).map((path) => relative(process.cwd(), path));
      const warehouse = await destinationOf(flags);
      const report = await ingest({
        warehouse,
        files,
        progress: progressBar(io),
        maxRejectedShare: flags.maxRejected,
        checks: flags.checks,
        newHistory: flags.newHistory,
        snapshot: flags.snapshot,
        maxDeletedShare: flags.maxDeleted,
        expectedRecords: { posts: flags.expectPosts, votes: flags.expectVotes },
      });
      const answer = await withWarehouse(flags, "read", (opened) => opened.weeklyAnswer());
      if (flags.json === true) {
        io.stdout.write(`${JSON.stringify({ ...report, weekly: answer }, null, 2)}\n`);
      } else {
        const lines = [
          ...(report.replayed === null ? [] : [renderReplay(report.replayed), ""]),
          `Ingested into ${warehouse.name} (run ${report.runId}${report.created && report.replayed === null ? ", new warehouse" : ""}):`,
          renderFileReports(report.files),
          ...report.notes.map((note) => `note: ${printable(note, Infinity)}`),
          ...(report.checks === null ? [] : ["", renderCheckFindings(report.checks)]),
          "",
          renderAnswerSummary(answer),
          "",
          renderWeeklySeries(answer, RECENT_WEEKS),
        ];
        io.stdout.write(`${lines.join("\n")}\n`);
      }
      const failed = failedChecks(report.checks, flags.failOn);
      if (failed.length > 0) {
        throw new StackhouseError(
          "CHECK_FAILED",
          `the run is committed, but checks of ${flags.failOn === "warning" ? "warning or error" : "error"} severity failed: ${failed.join(", ")} (--fail-on ${flags.failOn ?? ""})`,
        );
      }
    });
}

/** The failing checks at or above a severity, named with their failing rows. */
function failedChecks(checks: CheckReport | null, failOn: Severity | undefined): string[] {
  if (checks === null || failOn === undefined) return [];
  return checks.results
    .filter((result) => result.failing > 0 && (failOn === "warning" || result.severity === "error"))
    .map((result) => `${result.name} (${result.failing})`);
}

/**
 * A missing first file may be a mistyped command only when `ingest` was not typed and it reads
 * like a command: a word with no folder and no extension. Anything else is a missing delivery.
 */
function mayBeCommand(word: string, command: Command): boolean {
  const typedIngest = command.parent?.args[0] === command.name();
  return !typedIngest && /^[a-z][a-z-]*$/i.test(word);
}

/**
 * Ingest is the default command, so a mistyped command arrives as a file name. A first word that
 * is no file is refused as a command: with the one it is close to, or (given alone) as neither.
 */
function mistypedCommand(word: string, given: readonly string[], command: Command): void {
  const commands = command.parent?.commands.map((each) => each.name()) ?? [];
  const meant = didYouMean(word, commands);
  if (meant !== undefined) {
    throw new StackhouseError(
      "USAGE",
      `'${word}' is not a command or a file; did you mean 'stackhouse ${meant}'?`,
    );
  }
  if (given.length === 1) {
    throw new StackhouseError(
      "USAGE",
      `'${word}' is neither a command (${commands.join(", ")}) nor a file`,
    );
  }
}

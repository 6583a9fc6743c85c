import { existsSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { StackhouseError } from "../errors.js";
import { ingest } from "../run/ingest.js";
import { DEFAULT_MAX_REJECTED_SHARE } from "../validate/reject-threshold.js";
import type { CliIo } from "./io.js";
import { recordCount, shareOfRecords } from "./option-parsers.js";
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
    .summary("merge a delivery (a posts file and a votes file) into the warehouse")
    .description(
      "Merge a delivery into the warehouse in one transaction: both files land, or neither does.\n" +
        "Files may be a JSON array (any layout) or NDJSON, optionally gzip-compressed.\n" +
        "A missing warehouse is re-created from its landing archive first.\n" +
        "With no files, ingests the bundled sample delivery.",
    )
    .argument("[posts-file]", "the Posts delivery file")
    .argument("[votes-file]", "the Votes delivery file")
    .option("--json", "print the run report as JSON instead of tables")
    .option(
      "--max-rejected <share>",
      "refuse a file when more than this share of its records fails validation (5% or 0.05)",
      shareOfRecords,
      DEFAULT_MAX_REJECTED_SHARE,
    )
    .option("--no-checks", "skip the data-quality checks after the load")
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
    .action(
      async (
        postsFile: string | undefined,
        votesFile: string | undefined,
        _options: unknown,
        command: Command,
      ) => {
        const flags = command.optsWithGlobals<IngestFlags>();
        if (postsFile !== undefined && votesFile === undefined && !existsSync(postsFile)) {
          const commands = command.parent?.commands.map((each) => each.name()).join(", ") ?? "";
          throw new StackhouseError(
            "USAGE",
            `'${postsFile}' is neither a command (${commands}) nor a file`,
          );
        }
        if ((postsFile === undefined) !== (votesFile === undefined)) {
          throw new StackhouseError(
            "USAGE",
            "give both a posts file and a votes file, or neither (to ingest the bundled sample)",
          );
        }
        const posts = postsFile ?? relative(process.cwd(), SAMPLE_DELIVERY.posts);
        const votes = votesFile ?? relative(process.cwd(), SAMPLE_DELIVERY.votes);
        const warehouse = await destinationOf(flags);
        const report = await ingest({
          warehouse,
          posts,
          votes,
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
            `Ingested into ${warehouse.name} (run ${report.runId}${report.created ? ", new warehouse" : ""}):`,
            renderFileReports(report.files),
            ...(report.checks === null ? [] : ["", renderCheckFindings(report.checks)]),
            "",
            renderAnswerSummary(answer),
            "",
            renderWeeklySeries(answer, RECENT_WEEKS),
          ];
          io.stdout.write(`${lines.join("\n")}\n`);
        }
      },
    );
}

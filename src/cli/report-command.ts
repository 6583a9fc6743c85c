import type { Command } from "commander";
import { VOTE_SETS, type VoteSet } from "../analysis/definitions.js";
import { renderHtmlReport } from "../report/html-report.js";
import { helpExamples } from "./help-examples.js";
import type { CliIo } from "./io.js";
import { writeWholeFile } from "./output-file.js";
import { oneOf, wholeNumber } from "./option-parsers.js";
import { renderAnswerSummary, renderWeeklySeries } from "./render-weekly-answer.js";
import { destinationOf, withWarehouse, type WarehouseFlags } from "./warehouse-option.js";

interface ReportFlags extends WarehouseFlags {
  readonly weeks: number;
  readonly html?: string;
  readonly json?: boolean;
  readonly votes: VoteSet;
}

/** `stackhouse report`: the weekly answer, summarised, tabulated and charted. */
export function addReportCommand(program: Command, io: CliIo): void {
  program
    .command("report")
    .summary('answer "what is the mean votes per post per week?" with a table and a chart')
    .description(
      "Print the weekly mean votes per post under both definitions (per voted post and per live post), " +
        "summarised over full weeks, for all votes and for up- and down-votes side by side, " +
        "with the latest weeks as a table and bar chart. " +
        "With --html, also write a self-contained page with an interactive chart.",
    )
    .addHelpText(
      "after",
      helpExamples([
        ["npx stackhouse report", "the answer, with the last 26 weeks"],
        [
          "npx stackhouse report --weeks 0 --html report.html",
          "every week, and a page with the chart",
        ],
        ["npx stackhouse report --votes updown", "the weekly series of up- and down-votes only"],
      ]),
    )
    .option("--weeks <n>", "weeks of the series to print (0 for all)", wholeNumber("weeks"), 26)
    .option("--html <path>", "write a self-contained HTML page with an interactive chart")
    .option(
      "--votes <which>",
      "the votes the weekly series and charts count: all, or updown (up- and down-votes only)",
      oneOf(VOTE_SETS),
      "all",
    )
    .option("--json", "print the answer and the whole series as JSON")
    .action(async (_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<ReportFlags>();
      const answer = await withWarehouse(flags, "read", (warehouse) => warehouse.weeklyAnswer());
      if (flags.html !== undefined) {
        const title = flags.target ?? flags.db;
        const page = renderHtmlReport(answer, { title, votes: flags.votes });
        writeWholeFile(flags.html, await destinationOf(flags), "--html", (write) => {
          write(page);
        });
      }
      if (flags.json === true) {
        io.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
        return;
      }
      const lines = [
        renderAnswerSummary(answer),
        "",
        renderWeeklySeries(answer, flags.weeks, flags.votes),
      ];
      if (flags.html !== undefined) lines.push("", `Wrote ${flags.html}`);
      io.stdout.write(`${lines.join("\n")}\n`);
    });
}

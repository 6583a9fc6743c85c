import type { Command } from "commander";
import { rebuild } from "../run/rebuild.js";
import type { CliIo } from "./io.js";
import { progressBar } from "./progress-bar.js";
import { renderFileReports } from "./render-report.js";

/** `stackhouse rebuild`: re-create the warehouse from its landing archive. */
export function addRebuildCommand(program: Command, io: CliIo, done: (code: number) => void): void {
  program
    .command("rebuild")
    .summary("re-create the warehouse from its landing archive")
    .description(
      "Re-create the warehouse by replaying every archived delivery in arrival order.\n" +
        "The new warehouse replaces the current one only once it is complete.",
    )
    .action(async (_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<{ readonly db: string }>();
      const report = await rebuild({ warehouse: flags.db, progress: progressBar(io) });
      io.stdout.write(
        `Rebuilt ${flags.db} from ${report.runs} archived run(s):\n${renderFileReports(report.files)}\n`,
      );
      done(0);
    });
}

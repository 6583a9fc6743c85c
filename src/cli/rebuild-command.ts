import type { Command } from "commander";
import type { LandingArchive } from "../archive/landing-archive.js";
import { StackhouseError } from "../errors.js";
import { rebuild } from "../run/rebuild.js";
import { formatTable } from "./format-table.js";
import { helpExamples } from "./help-examples.js";
import type { CliIo } from "./io.js";
import { progressBar } from "./progress-bar.js";
import { renderFileReports, renderReplayNotes } from "./render-report.js";
import { destinationOf, type WarehouseFlags } from "./warehouse-option.js";

/** `stackhouse rebuild`: re-create the warehouse from its landing archive. */
export function addRebuildCommand(program: Command, io: CliIo): void {
  program
    .command("rebuild")
    .summary("re-create the warehouse from its landing archive")
    .description(
      "Re-create the warehouse by replaying every archived delivery in arrival order. " +
        "The new warehouse replaces the current one only once it is complete.",
    )
    .addHelpText(
      "after",
      helpExamples([
        ["npx stackhouse rebuild", "re-create warehouse.db from warehouse.db.landing"],
        ["npx stackhouse rebuild --verify", "check every archived file against its sha256"],
      ]),
    )
    .option("--verify", "only check every archived file against its sha256; load nothing")
    .action(async (_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<WarehouseFlags & { readonly verify?: boolean }>();
      const warehouse = await destinationOf(flags);
      if (flags.verify === true) return verifyCommand(warehouse.archive, io);
      const report = await rebuild({ warehouse, progress: progressBar(io) });
      io.stdout.write(
        `Rebuilt ${warehouse.name} from ${report.runs} archived run(s):\n${renderFileReports(report.files)}\n`,
      );
      for (const note of renderReplayNotes(report)) io.stderr.write(`${note}\n`);
    });
}

async function verifyCommand(archive: LandingArchive, io: CliIo): Promise<void> {
  const { committed } = archive.read();
  const files = committed.flatMap((run) => run.files);
  if (files.length === 0) {
    throw new StackhouseError("ARCHIVE", `${archive.dir}: no archived deliveries to verify`);
  }
  const results = await Promise.all(
    files.map(async (file) => ({ file, status: await archive.verify(file) })),
  );
  const rows = results.map(({ file, status }) => [
    file.run,
    file.kind,
    file.sourcePath,
    file.sha256.slice(0, 12),
    status,
  ]);
  io.stdout.write(`${formatTable(["run", "kind", "delivered as", "sha256", "status"], rows)}\n`);
  const bad = results.filter(({ status }) => status !== "ok");
  if (bad.length > 0) {
    const names = bad.map(({ file, status }) => `${archive.objectPath(file.sha256)} (${status})`);
    throw new StackhouseError("ARCHIVE", `damaged or missing archive entries: ${names.join(", ")}`);
  }
  io.stdout.write(`Archive intact: ${files.length} file(s) in ${committed.length} run(s).\n`);
}

import type { Command } from "commander";
import { LandingArchive } from "../archive/landing-archive.js";
import { StackhouseError } from "../errors.js";
import { rebuild } from "../run/rebuild.js";
import { formatTable } from "./format-table.js";
import type { CliIo } from "./io.js";
import { progressBar } from "./progress-bar.js";
import { renderFileReports, renderReplayNotes } from "./render-report.js";

/** `stackhouse rebuild`: re-create the warehouse from its landing archive. */
export function addRebuildCommand(program: Command, io: CliIo, done: (code: number) => void): void {
  program
    .command("rebuild")
    .summary("re-create the warehouse from its landing archive")
    .description(
      "Re-create the warehouse by replaying every archived delivery in arrival order.\n" +
        "The new warehouse replaces the current one only once it is complete.",
    )
    .option("--verify", "only check every archived file against its sha256; load nothing")
    .action(async (_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<{
        readonly db: string;
        readonly target?: string;
        readonly verify?: boolean;
      }>();
      if (flags.target !== undefined) {
        throw new StackhouseError(
          "USAGE",
          "rebuild re-creates a SQLite warehouse from its landing archive; a ClickHouse target has no landing archive to replay",
        );
      }
      if (flags.verify === true) {
        done(await verifyCommand(flags.db, io));
        return;
      }
      const report = await rebuild({ warehouse: flags.db, progress: progressBar(io) });
      io.stdout.write(
        `Rebuilt ${flags.db} from ${report.runs} archived run(s):\n${renderFileReports(report.files)}\n`,
      );
      for (const note of renderReplayNotes(report)) io.stderr.write(`${note}\n`);
      done(0);
    });
}

async function verifyCommand(warehouse: string, io: CliIo): Promise<number> {
  const archive = LandingArchive.beside(warehouse);
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
  if (bad.length === 0) {
    io.stdout.write(`Archive intact: ${files.length} file(s) in ${committed.length} run(s).\n`);
    return 0;
  }
  const names = bad.map(({ file, status }) => `${archive.objectPath(file.sha256)} (${status})`);
  const error = new StackhouseError(
    "ARCHIVE",
    `damaged or missing archive entries: ${names.join(", ")}`,
  );
  io.stderr.write(`stackhouse: ${error.message}\n`);
  return error.exitCode;
}

import type { FileReport } from "../load/load-file.js";
import type { ReplayReport } from "../run/replay-archive.js";
import { formatTable } from "./format-table.js";

/** The per-file summary of a run: counts, time and speed. */
export function renderFileReports(files: readonly FileReport[]): string {
  const rows = files.map((file) => [
    file.kind,
    file.path,
    file.outcome,
    file.read,
    file.inserted,
    file.updated,
    file.unchanged,
    file.rejected,
    Number(file.seconds.toFixed(2)),
    file.seconds > 0 ? Math.round(file.read / file.seconds) : 0,
  ]);
  const table = formatTable(
    [
      "kind",
      "file",
      "outcome",
      "read",
      "inserted",
      "updated",
      "unchanged",
      "rejected",
      "seconds",
      "records/s",
    ],
    rows,
  );
  return [table, ...files.flatMap(fileNotes)].join("\n");
}

function fileNotes(file: FileReport): string[] {
  const notes: string[] = [];
  if (file.outcome === "already-loaded") {
    notes.push(
      `note: ${file.path} has the same bytes as load ${String(file.previousLoadId)}; nothing to merge`,
    );
  }
  if (file.rejected > 0) {
    notes.push(
      `note: ${file.path}: ${file.rejected} record(s) quarantined; see: SELECT * FROM rejected_records WHERE load_id = ${file.loadId}`,
    );
  }
  const unknown = Object.entries(file.unknownKeys);
  if (unknown.length > 0) {
    const list = unknown.map(([key, count]) => `${key} (${count} records)`).join(", ");
    notes.push(`note: ${file.path}: keys stackhouse does not know, not loaded: ${list}`);
  }
  return notes;
}

/** A line saying the warehouse was re-created from its archive. */
export function renderReplay(replay: ReplayReport): string {
  const files = replay.files.length;
  return `Re-created the warehouse from the landing archive: ${replay.runs} earlier run(s), ${files} file(s) replayed.`;
}

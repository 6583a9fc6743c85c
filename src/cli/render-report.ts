import type { FileReport } from "../load/load-file.js";
import type { ReplayReport } from "../run/replay-archive.js";
import { formatTable } from "./format-table.js";
import { printable } from "./printable.js";

/** Unknown keys named in a file's note; the rest are counted (all are in `load_unknown_keys`). */
const KEYS_SHOWN = 10;

/** The per-file summary of a run: counts, time and speed. */
export function renderFileReports(files: readonly FileReport[]): string {
  const rows = files.map((file) => [
    file.kind,
    printable(file.path, Infinity),
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
  const path = printable(file.path, Infinity);
  if (file.outcome === "already-loaded") {
    notes.push(
      `note: ${path} has the same bytes as load ${String(file.previousLoadId)}; nothing to merge`,
    );
  }
  if (file.rejected > 0) {
    notes.push(
      `note: ${path}: ${file.rejected} record(s) quarantined; see: SELECT * FROM rejected_records WHERE load_id = ${file.loadId}`,
    );
  }
  const unknown = Object.entries(file.unknownKeys).sort(([, a], [, b]) => b - a);
  if (unknown.length > 0) {
    const shown = unknown
      .slice(0, KEYS_SHOWN)
      .map(([key, count]) => `${printable(key)} (${count} records)`);
    const rest = unknown.length - shown.length;
    const more =
      rest > 0
        ? ` and ${rest} more; see: SELECT * FROM load_unknown_keys WHERE load_id = ${file.loadId}`
        : "";
    notes.push(
      `note: ${path}: keys stackhouse does not know, not loaded: ${shown.join(", ")}${more}`,
    );
  }
  return notes;
}

/** A line saying the warehouse was re-created from its archive. */
export function renderReplay(replay: ReplayReport): string {
  const files = replay.files.length;
  return `Re-created the warehouse from the landing archive: ${replay.runs} earlier run(s), ${files} file(s) replayed.`;
}

import type { FileReport } from "../load/load-file.js";
import { listRuns } from "../run/bind-archive.js";
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
    const snapshot =
      file.delivery === "snapshot"
        ? " (a full snapshot applied then is not applied again: sent after later deliveries, it would delete what they added)"
        : "";
    notes.push(
      `note: ${path} has the same bytes as load ${String(file.previousLoadId)}; nothing to merge${snapshot}`,
    );
  }
  if (file.delivery === "snapshot" && file.outcome === "loaded") {
    notes.push(
      `note: ${path} (a full snapshot): ${file.deleted} ${file.kind} it lacks marked deleted, ${file.restored} deleted ones restored; see: SELECT * FROM ${file.kind}_all WHERE deleted_by_load_id = ${file.loadId}`,
    );
  }
  if (file.delivery === "increment" && file.restored > 0) {
    notes.push(
      `note: ${path}: ${file.restored} deleted ${file.kind} it holds again are live again (counted as restored, among inserted, updated and unchanged)`,
    );
  }
  if (file.conflicts > 0) {
    notes.push(
      `note: ${path}: ${file.conflicts} vote(s) re-sent with other content; the earliest version is kept, the other in: SELECT * FROM vote_conflicts WHERE load_id = ${file.loadId}`,
    );
  }
  if (file.stale > 0) {
    notes.push(
      `note: ${path}: ${file.stale} post(s) with other values but an older last activity than the stored version were left as stored (counted unchanged)`,
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
  return [
    `Re-created the warehouse from the landing archive: ${replay.runs} earlier run(s), ${files} file(s) replayed.`,
    ...renderReplayNotes(replay),
  ].join("\n");
}

/**
 * Notes on what a replay could not make as it was: runs before a new archive began, and loads
 * the current validation rules count differently from when they were first loaded.
 */
export function renderReplayNotes(replay: ReplayReport): string[] {
  const notes = replay.drift.map((change) => {
    const load = `note: run ${change.run} ${change.kind} ${printable(change.path, Infinity)}`;
    const counts = change.changed.join(", ");
    return change.rules.now === change.rules.then
      ? `${load} counts differently now than when it was loaded, under the same validation rules (version ${change.rules.now}): ${counts}; the warehouse it was loaded into then held other records than this replay had given it (a history begun anew, a change made outside stackhouse, or a lost server)`
      : `${load} counts differently under the validation rules now (version ${change.rules.now}) than when it was loaded (version ${change.rules.then}): ${counts}`;
  });
  if (replay.unrecorded.length > 0) {
    notes.push(
      `note: run(s) ${listRuns(replay.unrecorded)} were archived by a stackhouse that did not record their counts; whether today's rules count them differently cannot be told`,
    );
  }
  if (replay.startsAfterRun > 0) {
    notes.unshift(
      `note: the landing archive was started anew (--new-history) after run ${replay.startsAfterRun}; runs 1-${replay.startsAfterRun} are not in it, so they are not in the re-created warehouse`,
    );
  }
  return notes;
}

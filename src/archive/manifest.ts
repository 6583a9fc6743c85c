import type { DeliveryKind } from "../model/kinds.js";
import type { DeliveryType, LoadCounts } from "../warehouse/loads-log.js";

/** One archived delivery file, as the manifest lists it. */
export interface ArchivedFile {
  readonly run: number;
  readonly kind: DeliveryKind;
  readonly sha256: string;
  readonly sourcePath: string;
  readonly sizeBytes: number;
  readonly arrivedAt: string;
  /** `gzip`: the object is the delivery gzip-compressed; `as-delivered`: it was compressed already. */
  readonly stored: "gzip" | "as-delivered";
  /** For a file inside a site's 7z archive (the object): its name there. */
  readonly member?: string;
  /** What the file claimed; absent in archives older than delivery types (an increment). */
  readonly delivery?: DeliveryType;
  /** What loading it did, and under which rules; absent in older archives. */
  readonly recorded?: RecordedCounts;
}

/** A load's counts and the validation rules it ran under, as the archive keeps them. */
export interface RecordedCounts extends LoadCounts {
  readonly rulesVersion: number;
}

/** A delivery's files that were accepted together, in arrival order. */
export interface ArchivedRun {
  readonly run: number;
  readonly files: readonly ArchivedFile[];
}

/**
 * The history an archive belongs to: the id its warehouse records too, and the last run before
 * the archive began (0 for an archive that holds the warehouse's whole history).
 */
export interface HistoryMark {
  readonly id: string;
  readonly run: number;
}

/** One line of the manifest. */
export type ManifestLine =
  | ({ readonly type: "history" } & HistoryMark)
  | ({ readonly type: "file" } & ArchivedFile)
  | { readonly type: "commit"; readonly run: number }
  | { readonly type: "abort"; readonly run: number };

/** What the manifest says, read in one pass. */
export interface ManifestState {
  /** Runs whose load committed, oldest first: the history a rebuild replays. */
  readonly committed: readonly ArchivedRun[];
  /** Runs listed but neither committed nor aborted: a run was interrupted. */
  readonly pending: readonly number[];
  /** The highest run number used so far (0 when none). */
  readonly lastRun: number;
  /** Whose history this is; undefined for an archive made before archives recorded it. */
  readonly history: HistoryMark | undefined;
}

/**
 * Receives progress of a run, for a progress bar. Every method is optional; a library user who
 * wants silence passes nothing.
 */
export interface ProgressListener {
  /** A file starts: its label and size in bytes. */
  readonly fileStarted?: (label: string, totalBytes: number) => void;
  /** Bytes of the current file read so far. */
  readonly bytesRead?: (bytes: number) => void;
  /** The current file is done. */
  readonly fileFinished?: () => void;
}

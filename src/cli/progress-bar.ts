import { SingleBar, Presets } from "cli-progress";
import type { ProgressListener } from "../run/progress.js";
import type { CliIo } from "./io.js";

/** Files smaller than this finish too fast for a bar to help. */
const MIN_BYTES_FOR_BAR = 8 * 1024 * 1024;

/**
 * A progress bar on stderr for long files, only when stderr is a terminal (never in logs or
 * pipes).
 */
export function progressBar(io: CliIo): ProgressListener {
  if (io.stderr.isTTY !== true) return {};
  let bar: SingleBar | undefined;
  return {
    fileStarted(label, totalBytes) {
      if (totalBytes < MIN_BYTES_FOR_BAR) return;
      bar = new SingleBar(
        {
          format: `${label} [{bar}] {percentage}% | {value}/{total} MB | ETA {eta}s`,
          stream: process.stderr,
          hideCursor: true,
        },
        Presets.shades_classic,
      );
      bar.start(Math.ceil(totalBytes / 1e6), 0);
    },
    bytesRead(bytes) {
      bar?.update(Math.floor(bytes / 1e6));
    },
    fileFinished() {
      bar?.stop();
      bar = undefined;
    },
  };
}

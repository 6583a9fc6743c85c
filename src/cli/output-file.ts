import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { StackhouseError } from "../errors.js";

/**
 * Writes an output file (query results, an HTML report) so that it appears only once complete:
 * the content goes to a partial file beside it, renamed at the end; on any failure the partial
 * file is removed, and a file-system failure becomes a one-line error naming the path.
 *
 * @example
 * writeWholeFile("out.csv", (write) => write("a,b\r\n"));
 */
export function writeWholeFile<T>(path: string, produce: (write: (text: string) => void) => T): T {
  const partial = `${path}.partial-${String(process.pid)}`;
  let fd: number | undefined;
  try {
    fd = openSync(partial, "w");
    const descriptor = fd;
    const result = produce((text) => {
      writeSync(descriptor, text);
    });
    closeSync(descriptor);
    fd = undefined;
    renameSync(partial, path);
    return result;
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(partial, { force: true });
    if (error instanceof StackhouseError) throw error;
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("E")) {
      throw new StackhouseError("USAGE", `${path}: cannot write this file (${code})`, {
        cause: error,
      });
    }
    throw error;
  }
}

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";

/**
 * The sha256 of a file's bytes, read as a stream. Cheap next to parsing, so a file that was
 * loaded before can be recognised without parsing it again.
 *
 * @example
 * await sha256File("Votes.json"); // "9f86d0…"
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), hash);
  return hash.digest("hex");
}

import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * The sha256 of a file's bytes, read in large chunks into two reused buffers: the next chunk is
 * read while this one is hashed. Cheap next to parsing, so a file that was loaded before can be
 * recognised without parsing it again.
 *
 * @example
 * await sha256File("Votes.json"); // "9f86d0…"
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  const handle = await open(path, "r");
  try {
    const buffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
    let reading = handle.read(buffers[0] as Buffer, 0, CHUNK_BYTES, null);
    for (let next = 1; ; next = 1 - next) {
      const { bytesRead, buffer } = await reading;
      if (bytesRead === 0) break;
      reading = handle.read(buffers[next] as Buffer, 0, CHUNK_BYTES, null);
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}

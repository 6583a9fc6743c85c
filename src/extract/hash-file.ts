import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * The sha256 of a file's bytes, read in large chunks into one reused buffer. Cheap next to
 * parsing, so a file that was loaded before can be recognised without parsing it again.
 *
 * @example
 * await sha256File("Votes.json"); // "9f86d0…"
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}

import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { promisify } from "node:util";
import { gzip } from "node:zlib";

const gzipAsync = promisify(gzip);
const CHUNK_BYTES = 2 * 1024 * 1024;
/** Chunks compressing at once: enough to keep both cores busy, few enough to bound memory. */
const IN_FLIGHT = 2;
const COMPRESSION_LEVEL = 1;

/**
 * Copies a file, optionally gzip-compressing it, and returns the sha256 of the bytes it read, so
 * the copy is known to hold exactly the bytes that were hashed.
 *
 * Compression cuts the file into 2 MiB chunks compressed in parallel on libuv's thread pool, each
 * one a gzip member; a gzip file of several members is standard, and `gunzip` or any gzip reader
 * gives back the whole file. Memory holds a few reused chunk buffers, whatever the file size.
 *
 * @example
 * const sha256 = await copyFile("Posts.json", "archive/tmp/1234.gz", { compress: true });
 */
export async function copyFile(
  source: string,
  target: string,
  options: { readonly compress: boolean },
): Promise<string> {
  const hash = createHash("sha256");
  const input = await open(source, "r");
  try {
    const output = await open(target, "w");
    try {
      const pending: Promise<Buffer>[] = [];
      const buffers = Array.from({ length: IN_FLIGHT }, () => Buffer.allocUnsafe(CHUNK_BYTES));
      for (let chunkNumber = 0; ; chunkNumber++) {
        // The buffer read into next was last used IN_FLIGHT chunks ago: write that chunk first.
        if (pending.length === IN_FLIGHT)
          await output.write(await (pending.shift() as Promise<Buffer>));
        const buffer = buffers[chunkNumber % IN_FLIGHT] as Buffer;
        const { bytesRead } = await input.read(buffer, 0, CHUNK_BYTES, null);
        if (bytesRead === 0) break;
        const bytes = buffer.subarray(0, bytesRead);
        hash.update(bytes);
        pending.push(
          options.compress
            ? gzipAsync(bytes, { level: COMPRESSION_LEVEL, chunkSize: CHUNK_BYTES })
            : Promise.resolve(bytes),
        );
      }
      for (const next of pending) await output.write(await next);
      await output.sync();
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
  return hash.digest("hex");
}

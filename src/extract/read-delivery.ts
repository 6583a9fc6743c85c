import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { pipeline, Transform } from "node:stream";
import { createGunzip } from "node:zlib";
import { StackhouseError } from "../errors.js";
import { RecordScanner } from "./record-scanner.js";
import { JsonPositionError, type FastDecoder, type ScannedRecord } from "./scanned-record.js";

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const READ_CHUNK_BYTES = 1024 * 1024;

/** What is known of a delivery file before its records are read. */
export interface DeliveryFile {
  readonly path: string;
  readonly sizeBytes: number;
  /** True when the bytes are gzip, whatever the file is called. */
  readonly gzip: boolean;
}

/** The identity of a delivery's bytes, known once all of them have been read. */
export interface DeliveryDigest {
  readonly sha256: string;
  readonly bytesRead: number;
  /** Records the scanner completed, counted by the scanner itself (not from the batches). */
  readonly records: number;
}

/**
 * Checks that a delivery file exists and can be read, and detects gzip from its first bytes.
 *
 * @example
 * const file = await inspectDelivery("Votes.json.gz"); // { path, sizeBytes, gzip: true }
 */
export async function inspectDelivery(path: string): Promise<DeliveryFile> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw inputError(path, "not a regular file");
    const handle = await open(path, "r");
    try {
      const head = Buffer.alloc(2);
      const { bytesRead } = await handle.read(head, 0, 2, 0);
      const gzip = bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
      return { path, sizeBytes: info.size, gzip };
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof StackhouseError) throw error;
    throw inputError(path, describeFsError(error), error);
  }
}

/**
 * Streams a delivery's records in batches, checking its JSON structure as it goes, and hashes
 * the file's bytes on the way. Memory holds one read chunk and one batch, whatever the file size.
 *
 * @param onBytes called with the number of file bytes read so far, for progress display
 * @returns the batches; `digest()` gives the file's sha256 once they have all been consumed
 *
 * @example
 * const reading = readDelivery(file);
 * for await (const batch of reading.batches) load(batch);
 * const { sha256 } = reading.digest();
 */
export function readDelivery(
  file: DeliveryFile,
  options: {
    readonly batchSize?: number;
    readonly onBytes?: (bytesRead: number) => void;
    /** Hash the decompressed text instead of the file's bytes (for archived copies). */
    readonly hashDecoded?: boolean;
    /** The fast path to try on each record (see `RecordScanner`). */
    readonly decode?: FastDecoder;
  } = {},
): { readonly batches: AsyncIterable<readonly ScannedRecord[]>; digest(): DeliveryDigest } {
  const hash = createHash("sha256");
  let bytesRead = 0;
  let digest: DeliveryDigest | undefined;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (options.hashDecoded !== true) hash.update(chunk);
      bytesRead += chunk.length;
      options.onBytes?.(bytesRead);
      done(null, chunk);
    },
  });
  const ignore = (): void => undefined;

  /**
   * The text of a plain file, read into one reused buffer: the scanner copies out what it keeps,
   * so a 1 GB file does not leave a gigabyte of dead buffers for the garbage collector.
   */
  async function* plainText(): AsyncGenerator<Buffer> {
    const handle = await open(file.path, "r");
    try {
      const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      for (;;) {
        const { bytesRead: count } = await handle.read(buffer, 0, READ_CHUNK_BYTES, null);
        if (count === 0) return;
        const chunk = buffer.subarray(0, count);
        if (options.hashDecoded !== true) hash.update(chunk);
        bytesRead += count;
        options.onBytes?.(bytesRead);
        yield chunk;
      }
    } finally {
      await handle.close();
    }
  }

  async function* batches(): AsyncGenerator<readonly ScannedRecord[]> {
    const text: AsyncIterable<Buffer> & { destroy?: () => void } = file.gzip
      ? pipeline(
          createReadStream(file.path, { highWaterMark: READ_CHUNK_BYTES }),
          tap,
          createGunzip({ chunkSize: READ_CHUNK_BYTES }),
          ignore,
        )
      : plainText();
    const scanner = new RecordScanner(options.decode);
    const batchSize = options.batchSize ?? 2000;
    let batch: ScannedRecord[] = [];
    try {
      for await (const chunk of text) {
        if (options.hashDecoded === true) hash.update(chunk);
        for (const record of scanner.push(chunk)) {
          batch.push(record);
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
        // A batch never spans read chunks, so a batch of long posts stays within about a chunk.
        if (batch.length > 0) {
          yield batch;
          batch = [];
        }
      }
      scanner.end();
    } catch (error) {
      text.destroy?.();
      throw translateReadError(file, error, bytesRead);
    }
    if (batch.length > 0) yield batch;
    digest = { sha256: hash.digest("hex"), bytesRead, records: scanner.recordsSeen };
  }

  return {
    batches: batches(),
    digest() {
      if (digest === undefined) throw new Error("digest() called before the delivery was read");
      return digest;
    },
  };
}

/** Builds the one-line error for a delivery file that cannot be used. */
export function inputError(path: string, detail: string, cause?: unknown): StackhouseError {
  return new StackhouseError("INPUT_FILE", `${path}: ${detail}`, { cause });
}

function translateReadError(file: DeliveryFile, error: unknown, bytesRead: number): unknown {
  if (error instanceof StackhouseError) return error;
  if (error instanceof JsonPositionError) {
    return inputError(file.path, `line ${error.line}, column ${error.column}: ${error.message}`);
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("Z_")) {
    const reason = error instanceof Error ? error.message : String(error);
    return inputError(
      file.path,
      `corrupt gzip data near byte ${bytesRead} of ${file.sizeBytes}: ${reason}`,
      error,
    );
  }
  if (typeof code === "string" && code.startsWith("E")) {
    return inputError(file.path, describeFsError(error), error);
  }
  return error;
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory, not a file";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { pipeline, Transform } from "node:stream";
import { createGunzip } from "node:zlib";
import { fsErrorWords, StackhouseError } from "../errors.js";
import type { DeliveryKind } from "../model/kinds.js";
import { RecordScanner } from "./record-scanner.js";
import { PositionError, type FastDecoder, type ScannedRecord } from "./scanned-record.js";
import { sha256File } from "./hash-file.js";
import { SEVEN_ZIP_MAGIC, sevenZipDamage, sevenZipMember } from "./seven-zip.js";
import { XmlRowScanner } from "./xml-row-scanner.js";

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
/** The size of each read of a delivery file. */
export const READ_CHUNK_BYTES = 1024 * 1024;
/** The first read is smaller: the first record (which tells a file's kind) and batch come sooner. */
const FIRST_READ_BYTES = 64 * 1024;

/** What is known of a delivery file before its records are read. */
export interface DeliveryFile {
  readonly path: string;
  /** The bytes to read: the file's, or for a member of a 7z archive, its extracted size. */
  readonly sizeBytes: number;
  /** True when the bytes are gzip, whatever the file is called. */
  readonly gzip: boolean;
  /** True for a 7z archive (a site's data dump): its members are the deliveries. */
  readonly sevenZip?: boolean;
  /** The file inside the 7z archive at `path` that this delivery is. */
  readonly member?: string;
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
      const head = Buffer.alloc(SEVEN_ZIP_MAGIC.length);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      const starts = (magic: Buffer): boolean =>
        bytesRead >= magic.length && head.subarray(0, magic.length).equals(magic);
      const sevenZip = starts(SEVEN_ZIP_MAGIC);
      if (!sevenZip && path.toLowerCase().endsWith(".7z")) {
        throw inputError(path, "is named .7z but is not a 7z archive (it lacks 7-Zip's signature)");
      }
      return {
        path,
        sizeBytes: info.size,
        gzip: starts(GZIP_MAGIC),
        ...(sevenZip && { sevenZip }),
      };
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof StackhouseError) throw error;
    throw inputError(path, describeFsError(error), error);
  }
}

/**
 * Streams a delivery's records in batches, checking its structure as it goes (JSON, or the data
 * dump's XML, told apart by content), and hashes
 * the file's bytes on the way. Memory holds one read chunk and one batch, whatever the file size.
 *
 * @param onBytes called with the number of file bytes read so far, for progress display
 * @param onText called with the number of text bytes (decompressed) scanned so far, before the
 *   batches of each chunk are yielded
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
    readonly onText?: (textRead: number) => void;
    /** Hash the decompressed text instead of the file's bytes (for archived copies). */
    readonly hashDecoded?: boolean;
    /** The fast path to try on each JSON record (see `RecordScanner`). */
    readonly decode?: FastDecoder;
    /** The kind the file must hold, where its layout names it (an XML dump's root element). */
    readonly kind?: DeliveryKind;
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
      for (let size = FIRST_READ_BYTES; ; size = READ_CHUNK_BYTES) {
        const { bytesRead: count } = await handle.read(buffer, 0, size, null);
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

  /**
   * The text of one file in a 7z archive. Its identity is the archive's, hashed once 7-Zip (which
   * reads the archive itself) is done.
   */
  let archiveSha256: string | undefined;
  async function* memberText(member: string): AsyncGenerator<Buffer> {
    for await (const chunk of sevenZipMember(file.path, member)) {
      bytesRead += chunk.length;
      options.onBytes?.(bytesRead);
      yield chunk;
    }
    archiveSha256 = await sha256File(file.path);
  }

  async function* batches(): AsyncGenerator<readonly ScannedRecord[]> {
    if (file.sevenZip === true) {
      throw inputError(file.path, "a 7z archive is read through its members (see deliveryFiles)");
    }
    const text: AsyncIterable<Buffer> & { destroy?: () => void } =
      file.member !== undefined
        ? memberText(file.member)
        : file.gzip
          ? pipeline(
              createReadStream(file.path, { highWaterMark: READ_CHUNK_BYTES }),
              tap,
              createGunzip({ chunkSize: READ_CHUNK_BYTES }),
              ignore,
            )
          : plainText();
    let scanner: RecordScanner | XmlRowScanner | undefined;
    const batchSize = options.batchSize ?? 2000;
    let batch: ScannedRecord[] = [];
    let textRead = 0;
    try {
      for await (const chunk of text) {
        textRead += chunk.length;
        options.onText?.(textRead);
        if (options.hashDecoded === true) hash.update(chunk);
        scanner ??= isXml(chunk)
          ? new XmlRowScanner(options.kind)
          : new RecordScanner(options.decode);
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
      (scanner ?? new RecordScanner()).end();
    } catch (error) {
      text.destroy?.();
      const damage =
        file.member === undefined || error instanceof StackhouseError
          ? undefined
          : await sevenZipDamage(file.path, file.member);
      throw damage ?? translateReadError(file, error, bytesRead);
    }
    if (batch.length > 0) yield batch;
    const sha256 = archiveSha256 ?? hash.digest("hex");
    digest = { sha256, bytesRead, records: scanner?.recordsSeen ?? 0 };
  }

  return {
    batches: batches(),
    digest() {
      if (digest === undefined) throw new Error("digest() called before the delivery was read");
      return digest;
    },
  };
}

/**
 * True when a file's first chunk is XML (its first character after any byte order mark and
 * whitespace is `<`); anything else is read as JSON, whose scanner says what it expected.
 */
function isXml(chunk: Buffer): boolean {
  const start = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
  for (let pos = start; pos < chunk.length; pos++) {
    const byte = chunk[pos];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return byte === 0x3c;
  }
  return false;
}

/** Builds the one-line error for a delivery file that cannot be used. */
export function inputError(path: string, detail: string, cause?: unknown): StackhouseError {
  return new StackhouseError("INPUT_FILE", `${path}: ${detail}`, { cause });
}

/**
 * How messages and the audit name a delivery: its path, and for a member of a 7z archive, the
 * member's name after a `#`.
 *
 * @example
 * deliveryName({ path: "site.7z", member: "Posts.xml", sizeBytes: 1, gzip: false }); // "site.7z#Posts.xml"
 */
export function deliveryName(file: DeliveryFile): string {
  return file.member === undefined ? file.path : `${file.path}#${file.member}`;
}

function translateReadError(file: DeliveryFile, error: unknown, bytesRead: number): unknown {
  if (error instanceof StackhouseError) return error;
  if (error instanceof PositionError) {
    const position = `line ${error.line}, column ${error.column}: ${error.message}`;
    return inputError(deliveryName(file), position);
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
  return fsErrorWords(error, "read") ?? (error instanceof Error ? error.message : String(error));
}

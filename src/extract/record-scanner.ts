import { isUtf8 } from "node:buffer";
import {
  PositionError,
  MAX_RECORD_BYTES,
  type DecodedRecord,
  type FastDecoder,
  type RawRecord,
  type ScannedRecord,
  type ScanMode as Mode,
} from "./scanned-record.js";

const EMPTY = Buffer.alloc(0);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

/**
 * Splits a stream of bytes into JSON records without holding more than one record in memory.
 *
 * Accepts a JSON array of objects in any layout (the supplier's one-record-per-line form, pretty
 * printed, or all on one line) and newline-delimited JSON (NDJSON). Structure is checked here;
 * each record's text is then decoded and parsed on its own, so a 1 GB file never becomes one
 * string. A UTF-8 byte order mark and CRLF line ends are accepted.
 *
 * @example
 * const scanner = new RecordScanner();
 * for await (const chunk of stream) for (const record of scanner.push(chunk)) use(record);
 * scanner.end();
 */
export class RecordScanner {
  private readonly decode: FastDecoder | undefined;
  private mode: Mode = "start";
  /** The unfinished record's bytes so far, copied out of the chunk they came in. */
  private pending: Buffer = EMPTY;
  /** Reused buffers: `carry` holds `pending`, `work` joins it to the next chunk. */
  private carry: Buffer = Buffer.alloc(0);
  private work: Buffer = Buffer.alloc(0);
  /** Absolute offset of pending[0] in the stream. */
  private base = 0;
  private line = 1;
  private lineStart = 0;
  private recordCount = 0;
  /** Inside a record: its start in `pending`, its start line and the nesting depth so far. */
  private recordStart = -1;
  private recordLine = 0;
  private recordColumn = 0;
  private depth = 0;
  /** Where scanning resumes in `pending`. */
  private resumeAt = 0;

  /** @param decode the fast path to try on each record before the exact one */
  constructor(decode?: FastDecoder) {
    this.decode = decode;
  }

  /**
   * Records completed by this chunk, in order. Throws {@link PositionError}. Nothing returned
   * or kept refers to `chunk`, so the caller may reuse it for the next read.
   */
  push(chunk: Buffer): ScannedRecord[] {
    const buf = this.pending.length === 0 ? chunk : this.joinPending(chunk);
    const records: ScannedRecord[] = [];
    let pos = this.resumeAt;
    if (this.base === 0 && pos === 0 && this.mode === "start") pos = skipByteOrderMark(buf);

    while (pos < buf.length) {
      if (this.recordStart >= 0) {
        pos = this.scanRecord(buf, pos, records);
        if (this.recordStart >= 0) break;
        continue;
      }
      pos = this.scanBetweenRecords(buf, pos);
    }
    this.keepUnfinished(buf, pos);
    return records;
  }

  /** Declares the end of input; throws when the text stopped in the middle of the structure. */
  end(): void {
    if (this.recordStart >= 0) {
      throw new PositionError(
        `truncated: record ${this.recordCount + 1} is not closed`,
        this.recordLine,
        this.recordColumn,
      );
    }
    if (this.mode === "start") throw new PositionError("the file is empty", 1, 1);
    if (this.mode !== "end" && this.mode !== "ndjson") {
      throw new PositionError(
        "truncated: the JSON array is not closed with ']'",
        this.line,
        this.base + this.resumeAt - this.lineStart + 1,
      );
    }
  }

  /** How many records have been completed so far. */
  get recordsSeen(): number {
    return this.recordCount;
  }

  private scanBetweenRecords(buf: Buffer, start: number): number {
    let pos = start;
    while (pos < buf.length) {
      const byte = buf[pos] as number;
      if (byte === NEWLINE) {
        this.line++;
        this.lineStart = this.base + pos + 1;
        pos++;
        continue;
      }
      if (isWhitespace(byte)) {
        pos++;
        continue;
      }
      this.acceptToken(byte, pos);
      if (this.recordStart >= 0) return pos;
      pos++;
    }
    return pos;
  }

  private acceptToken(byte: number, pos: number): void {
    const mode = this.mode;
    if (byte === OPEN_BRACE && mode !== "array-after" && mode !== "end") {
      if (mode === "start") this.mode = "ndjson";
      this.beginRecord(pos);
      return;
    }
    if (mode === "start" && byte === OPEN_BRACKET) this.mode = "array-first";
    else if (mode === "array-first" && byte === CLOSE_BRACKET) this.mode = "end";
    else if (mode === "array-after" && byte === COMMA) this.mode = "array-next";
    else if (mode === "array-after" && byte === CLOSE_BRACKET) this.mode = "end";
    else throw this.unexpected(byte, pos);
  }

  private unexpected(byte: number, pos: number): PositionError {
    const column = this.base + pos - this.lineStart + 1;
    const shown = describeByte(byte);
    const expected: Record<Mode, string> = {
      start: "expected '[' or '{' (JSON) or '<' (XML) at the start of the file",
      "array-first": `record 1 is not a JSON object (found ${shown})`,
      "array-next": `record ${this.recordCount + 1} is not a JSON object (found ${shown})`,
      "array-after": `expected ',' or ']' after record ${this.recordCount}, found ${shown}`,
      ndjson: `record ${this.recordCount + 1} is not a JSON object (found ${shown})`,
      end: `unexpected ${shown} after the end of the JSON array`,
    };
    const message =
      this.mode === "start" ? `${expected.start}, found ${shown}` : expected[this.mode];
    return new PositionError(message, this.line, column);
  }

  private beginRecord(pos: number): void {
    this.recordStart = pos;
    this.recordLine = this.line;
    this.recordColumn = this.base + pos - this.lineStart + 1;
    this.depth = 0;
  }

  /** Scans inside a record; returns the position after it, or where to resume once more arrives. */
  private scanRecord(buf: Buffer, start: number, records: ScannedRecord[]): number {
    let pos = start;
    while (pos < buf.length) {
      const byte = buf[pos] as number;
      if (byte === QUOTE) {
        const close = findClosingQuote(buf, pos + 1);
        if (close < 0) return pos;
        pos = close + 1;
        continue;
      }
      if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.depth++;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        this.depth--;
        if (this.depth === 0) {
          records.push(this.finishRecord(buf, pos + 1));
          return pos + 1;
        }
      } else if (byte === NEWLINE) {
        this.line++;
        this.lineStart = this.base + pos + 1;
      }
      pos++;
    }
    return pos;
  }

  private finishRecord(buf: Buffer, end: number): ScannedRecord {
    const row = this.decode?.(buf, this.recordStart, end);
    if (row !== undefined) {
      const number = ++this.recordCount;
      const record: DecodedRecord = { row, number, line: this.recordLine };
      this.recordStart = -1;
      this.mode = this.mode === "ndjson" ? "ndjson" : "array-after";
      return record;
    }
    const invalidUtf8 = !isUtf8(buf.subarray(this.recordStart, end));
    const text = buf.toString("utf8", this.recordStart, end);
    const number = this.recordCount + 1;
    const value = this.parseRecord(text, number);
    this.recordCount = number;
    const record: RawRecord = { value, text, number, line: this.recordLine, invalidUtf8 };
    this.recordStart = -1;
    this.mode = this.mode === "ndjson" ? "ndjson" : "array-after";
    return record;
  }

  private parseRecord(text: string, number: number): Record<string, unknown> {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      const { message, offset } = describeParseError(error);
      const before = text.slice(0, offset);
      const newlines = before.split("\n").length - 1;
      const line = this.recordLine + newlines;
      const column =
        newlines === 0 ? this.recordColumn + offset : offset - before.lastIndexOf("\n");
      throw new PositionError(`record ${number} is not valid JSON: ${message}`, line, column);
    }
  }

  /** `pending` followed by `chunk`, in the reused work buffer. */
  private joinPending(chunk: Buffer): Buffer {
    const length = this.pending.length + chunk.length;
    if (this.work.length < length)
      this.work = Buffer.allocUnsafe(Math.max(length, 2 * this.work.length));
    this.pending.copy(this.work, 0);
    chunk.copy(this.work, this.pending.length);
    return this.work.subarray(0, length);
  }

  private keepUnfinished(buf: Buffer, pos: number): void {
    if (this.recordStart < 0) {
      this.base += buf.length;
      this.pending = EMPTY;
      this.resumeAt = 0;
      return;
    }
    const kept = buf.length - this.recordStart;
    if (kept > MAX_RECORD_BYTES) {
      throw new PositionError(
        `record ${this.recordCount + 1} is longer than ${MAX_RECORD_BYTES} bytes`,
        this.recordLine,
        this.recordColumn,
      );
    }
    this.base += this.recordStart;
    if (this.carry.length < kept)
      this.carry = Buffer.allocUnsafe(Math.max(kept, 2 * this.carry.length));
    buf.copy(this.carry, 0, this.recordStart);
    this.pending = this.carry.subarray(0, kept);
    this.resumeAt = pos - this.recordStart;
    this.recordStart = 0;
  }
}

function skipByteOrderMark(buf: Buffer): number {
  return buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === NEWLINE;
}

/** Index of the quote that ends the string whose content starts at `from`, or -1 if not here. */
function findClosingQuote(buf: Buffer, from: number): number {
  let quote = buf.indexOf(QUOTE, from);
  while (quote >= 0) {
    let backslashes = 0;
    while (quote - 1 - backslashes >= from && buf[quote - 1 - backslashes] === BACKSLASH) {
      backslashes++;
    }
    if (backslashes % 2 === 0) return quote;
    quote = buf.indexOf(QUOTE, quote + 1);
  }
  return -1;
}

function describeByte(byte: number): string {
  if (byte >= 0x21 && byte <= 0x7e) return `'${String.fromCharCode(byte)}'`;
  return `byte 0x${byte.toString(16).padStart(2, "0")}`;
}

/** JSON.parse's message without the echo of the whole input, and the offset it names (or 0). */
function describeParseError(error: unknown): { message: string; offset: number } {
  const raw = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(raw);
  const message = raw
    .replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, "")
    .replace(/ in JSON at position \d+.*$/s, "")
    .replace(/ \(line \d+ column \d+\)$/, "");
  return { message, offset: position?.[1] === undefined ? 0 : Number(position[1]) };
}

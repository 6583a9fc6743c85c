import type { Row } from "../model/field.js";

/** One delivered record, still untyped, with where it came from. */
export interface RawRecord {
  /** The parsed JSON object. */
  readonly value: Readonly<Record<string, unknown>>;
  /** The record's JSON text exactly as delivered (kept for quarantine). */
  readonly text: string;
  /** 1-based position of the record in the file. */
  readonly number: number;
  /** 1-based line on which the record starts. */
  readonly line: number;
  /** The record's bytes are not valid UTF-8 (its text then shows U+FFFD where they were). */
  readonly invalidUtf8: boolean;
  /** Its keys in order, repeats included, when `text` is not JSON (an XML row's attributes). */
  readonly keys?: readonly string[];
}

/** A record the fast path already decoded and validated into a row. */
export interface DecodedRecord {
  readonly row: Row;
  /** 1-based position of the record in the file. */
  readonly number: number;
  /** 1-based line on which the record starts. */
  readonly line: number;
}

/** A record as the scanner gives it: decoded by the fast path, or parsed for the exact path. */
export type ScannedRecord = DecodedRecord | RawRecord;

/**
 * Decodes a record's bytes (`buf[start..end)`) straight into a valid row, or returns undefined to
 * leave the record to the exact path (see `decodeFlatRecord`).
 */
export type FastDecoder = (buf: Buffer, start: number, end: number) => Row | undefined;

/** A structural error (JSON or XML) at a known place in the decompressed text of a file. */
export class PositionError extends Error {
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(message);
    this.name = "PositionError";
    this.line = line;
    this.column = column;
  }
}

/** Records longer than this are refused, so one broken quote cannot make memory grow unbounded. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** Where the scanner is in a file's structure. */
export type ScanMode =
  | "start" // nothing but whitespace seen yet
  | "array-first" // after '[': a record or ']'
  | "array-next" // after ',': a record
  | "array-after" // after a record: ',' or ']'
  | "ndjson" // one object after another, separated by whitespace
  | "end"; // after the closing ']': whitespace only

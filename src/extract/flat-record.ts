import { isUtf8 } from "node:buffer";
import type { Field, FieldValue, Row } from "../model/field.js";
import type { KindSpec } from "../model/kinds.js";
import {
  acceptsTimestamp,
  integerProblem,
  textProblem,
  timeWindow,
  type TimeWindow,
} from "../validate/parse-value.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const FIRST_NON_ASCII = 0x80;
const FIRST_PRINTABLE = 0x20;
/** Longer integers may not be exact as a double; the exact path turns them into bigints. */
const MAX_NUMBER_DIGITS = 15;
/** Which fields a record gave is kept as the bits of one integer. */
const MAX_FIELDS = 31;

/** The fields of a kind, by the bytes of every spelling of their key, and the time window. */
export interface FlatPlan {
  readonly fields: readonly Field[];
  readonly keys: readonly (readonly [bytes: Buffer, fieldIndex: number])[];
  readonly window: TimeWindow;
}

/**
 * Prepares the fast path for one kind of record; timestamps must fall in `window` (give the one
 * the exact path gets, see `validateBatch`).
 */
export function flatPlan(spec: KindSpec, window: TimeWindow = timeWindow()): FlatPlan {
  if (spec.fields.length > MAX_FIELDS) throw new Error(`${spec.kind}: too many fields for a plan`);
  const keys = spec.fields.flatMap((field, index) =>
    [field.key, ...(field.aliases ?? [])].map(
      (key) => [Buffer.from(key, "latin1"), index] as const,
    ),
  );
  return { fields: spec.fields, keys, window };
}

/**
 * The fast path for the supplier's records: a flat JSON object whose values are all strings,
 * every key known and given once, every value valid. Such a record is decoded and validated
 * straight from its bytes into a row, without building the object, its keys or any integer's
 * text. Anything else (an unknown or repeated key, a value that is not a string, a value that
 * would be refused, an integer beyond 15 digits, a control character, bytes that are not UTF-8)
 * returns `undefined`, and the caller takes the exact path: `JSON.parse` and `validateRecord`,
 * which give the same row for every record this accepts, and the error or refusal for the rest.
 *
 * @example
 * const plan = flatPlan(KINDS.votes);
 * decodeFlatRecord(plan, Buffer.from('{"Id":"1","PostId":"2","VoteTypeId":"2","CreationDate":"2021-09-04T00:00:00.000"}'), 0, 83);
 * // [1, 2, 2, null, null, "2021-09-04T00:00:00.000"]
 */
export function decodeFlatRecord(
  plan: FlatPlan,
  buf: Buffer,
  start: number,
  end: number,
): Row | undefined {
  const { fields, keys, window } = plan;
  const row: FieldValue[] = new Array<FieldValue>(fields.length).fill(null);
  let seen = 0;
  let nonAscii = false;
  let pos = skipSpace(buf, start + 1, end);
  if (buf[start] !== OPEN_BRACE) return undefined;
  if (buf[pos] === CLOSE_BRACE) return finish(buf, fields, seen, row, pos, end);
  for (;;) {
    if (buf[pos] !== QUOTE) return undefined;
    const keyEnd = plainStringEnd(buf, pos + 1, end);
    if (keyEnd < 0) return undefined;
    const index = fieldIndex(keys, buf, pos + 1, keyEnd);
    if (index < 0 || (seen & (1 << index)) !== 0) return undefined;
    seen |= 1 << index;
    pos = skipSpace(buf, keyEnd + 1, end);
    if (buf[pos] !== COLON) return undefined;
    pos = skipSpace(buf, pos + 1, end);
    if (buf[pos] !== QUOTE) return undefined;
    const field = fields[index] as Field;
    const valueStart = pos + 1;
    if (field.type === "text") {
      const text = decodeText(buf, valueStart, end);
      if (text === undefined) return undefined;
      if (textProblem(field, text.value, text.surrogateEscape) !== undefined) return undefined;
      nonAscii ||= text.nonAscii;
      row[index] = text.value;
      pos = text.end + 1;
    } else {
      const valueEnd = plainStringEnd(buf, valueStart, end);
      if (valueEnd < 0) return undefined;
      const value =
        field.type === "timestamp"
          ? timestampAt(buf, valueStart, valueEnd, window)
          : integerAt(field, buf, valueStart, valueEnd);
      if (value === undefined) return undefined;
      row[index] = value;
      pos = valueEnd + 1;
    }
    pos = skipSpace(buf, pos, end);
    if (buf[pos] === COMMA) {
      pos = skipSpace(buf, pos + 1, end);
      continue;
    }
    if (nonAscii && !isUtf8(buf.subarray(start, end))) return undefined;
    return finish(buf, fields, seen, row, pos, end);
  }
}

function finish(
  buf: Buffer,
  fields: readonly Field[],
  /** Bit i is set when field i was given. */
  seen: number,
  row: Row,
  pos: number,
  end: number,
): Row | undefined {
  if (pos !== end - 1 || buf[pos] !== CLOSE_BRACE) return undefined;
  for (let index = 0; index < fields.length; index++) {
    if ((seen & (1 << index)) === 0 && (fields[index] as Field).required) return undefined;
  }
  return row;
}

function skipSpace(buf: Buffer, from: number, end: number): number {
  let pos = from;
  while (pos < end) {
    const byte = buf[pos] as number;
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return pos;
    pos++;
  }
  return pos;
}

/** The closing quote of a string of printable ASCII without escapes, or -1. */
function plainStringEnd(buf: Buffer, from: number, end: number): number {
  for (let pos = from; pos < end; pos++) {
    const byte = buf[pos] as number;
    if (byte === QUOTE) return pos;
    if (byte === BACKSLASH || byte < FIRST_PRINTABLE || byte >= FIRST_NON_ASCII) return -1;
  }
  return -1;
}

function fieldIndex(keys: FlatPlan["keys"], buf: Buffer, from: number, to: number): number {
  const length = to - from;
  for (const [bytes, index] of keys) {
    if (bytes.length !== length) continue;
    let same = true;
    for (let offset = 0; offset < length; offset++) {
      if (bytes[offset] !== buf[from + offset]) {
        same = false;
        break;
      }
    }
    if (same) return index;
  }
  return -1;
}

/**
 * A text value: the quoted string found with native searches and decoded by `JSON.parse`, which
 * also refuses raw control characters and bad escapes. `nonAscii` says the bytes need the UTF-8
 * check; `surrogateEscape` says a `\uD...` escape may be there: only such text can hold a lone
 * surrogate (the bytes themselves are checked to be UTF-8).
 */
function decodeText(
  buf: Buffer,
  from: number,
  end: number,
): { value: string; end: number; nonAscii: boolean; surrogateEscape: boolean } | undefined {
  const close = closingQuote(buf, from, end);
  if (close < 0) return undefined;
  const quoted = buf.toString("utf8", from - 1, close + 1);
  const value = parseJsonString(quoted);
  if (value === undefined) return undefined;
  const nonAscii = quoted.length !== close + 2 - from;
  const surrogateEscape = SURROGATE_ESCAPE.test(quoted);
  return { value, end: close, nonAscii, surrogateEscape };
}

const SURROGATE_ESCAPE = /\\u[dD]/;

/** The quote that closes a string starting at `from` (one not escaped by a backslash), or -1. */
function closingQuote(buf: Buffer, from: number, end: number): number {
  let pos = from;
  for (;;) {
    const quote = buf.indexOf(QUOTE, pos);
    if (quote < 0 || quote >= end) return -1;
    let backslashes = 0;
    while (buf[quote - 1 - backslashes] === BACKSLASH && quote - 1 - backslashes >= from) {
      backslashes++;
    }
    if (backslashes % 2 === 0) return quote;
    pos = quote + 1;
  }
}

function parseJsonString(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

function timestampAt(
  buf: Buffer,
  from: number,
  to: number,
  window: TimeWindow,
): string | undefined {
  const text = buf.toString("latin1", from, to);
  return acceptsTimestamp(text, window) ? text : undefined;
}

/** A canonical integer of at most 15 digits that the field accepts, or undefined. */
function integerAt(field: Field, buf: Buffer, from: number, to: number): number | undefined {
  const negative = buf[from] === MINUS;
  const first = negative ? from + 1 : from;
  const digits = to - first;
  if (digits < 1 || digits > MAX_NUMBER_DIGITS) return undefined;
  if (buf[first] === DIGIT_0 && (digits > 1 || negative)) return undefined;
  let value = 0;
  for (let pos = first; pos < to; pos++) {
    const byte = buf[pos] as number;
    if (byte < DIGIT_0 || byte > DIGIT_9) return undefined;
    value = value * 10 + (byte - DIGIT_0);
  }
  if (negative) value = -value;
  return integerProblem(field, value) === undefined ? value : undefined;
}

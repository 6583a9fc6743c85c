import type { Field, FieldValue } from "../model/field.js";
import { cutText, firstLoneSurrogate } from "./unicode.js";

/** The earliest plausible timestamp: Stack Overflow, the first Stack Exchange site, began in 2008. */
export const EARLIEST_TIMESTAMP = "2008-01-01T00:00:00.000";

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const MAX_SHOWN_CHARS = 60;
const TIMESTAMP_LENGTH = "2021-09-04T00:00:00.000".length;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const MINUS = 45;
/** A list of tags in either delivered form: `<a><b>` or `|a|b|`, no tag empty. */
const TAG_LIST = /^(?:(?:<[^<>|]+>)+|\|(?:[^<>|]+\|)+)$/;

/** Why a delivered value was refused; only made for values that fail, so valid data allocates none. */
export class Refusal {
  readonly reason: string;

  constructor(reason: string) {
    this.reason = reason;
  }
}

/**
 * The span delivered timestamps must fall in, as timestamps in the delivered format (which
 * compare as text): from when Stack Exchange began to the time of the run.
 */
export interface TimeWindow {
  readonly earliest: string;
  readonly latest: string;
}

/**
 * The window for a run at `now` (epoch milliseconds): nothing delivered can be dated before
 * Stack Exchange began or after the run.
 *
 * @example
 * timeWindow(Date.parse("2026-05-01T12:00:00Z"));
 * // { earliest: "2008-01-01T00:00:00.000", latest: "2026-05-01T12:00:00.000" }
 */
export function timeWindow(now: number = Date.now()): TimeWindow {
  if (!Number.isFinite(now)) throw new RangeError(`not a time: ${String(now)}`);
  const latest = new Date(now).toISOString().slice(0, TIMESTAMP_LENGTH);
  return { earliest: EARLIEST_TIMESTAMP, latest };
}

/**
 * Checks one delivered value against its field and converts it to what the warehouse stores.
 * Nothing is coerced: a value that is not exactly what the field allows is refused with a reason
 * naming the field and the value. This runs for every field of every record, so it works on
 * character codes rather than regular expressions and allocates nothing for valid values.
 *
 * @example
 * parseValue(scoreField, "-3"); // -3
 * parseValue(scoreField, "3.5"); // Refusal { reason: 'Score: "3.5" is not an integer' }
 */
export function parseValue(
  field: Field,
  raw: unknown,
  window: TimeWindow = timeWindow(),
): FieldValue | Refusal {
  switch (field.type) {
    case "text":
      return parseText(field, raw);
    case "timestamp":
      return parseTimestamp(field, raw, window);
    default:
      return parseInteger(field, raw);
  }
}

function parseText(field: Field, raw: unknown): string | Refusal {
  if (typeof raw !== "string") return refuse(field, raw, "is not a string");
  const problem = textProblem(field, raw);
  return problem === undefined ? raw : new Refusal(problem);
}

/**
 * Why a string does not fit a text field (too long, not valid Unicode, or for `Tags` not a list
 * of tags), or undefined when it fits. The fast path asks too, so both paths decide alike.
 *
 * @param mayHaveLoneSurrogate false for text decoded from valid UTF-8 bytes without `\uD800`-`\uDFFF`
 *   escapes, which cannot hold a lone surrogate, so the search is skipped
 * @example
 * textProblem(tagsField, "<a><b"); // 'Tags: "<a><b" is not a list of tags like <a><b> or |a|b|'
 * textProblem(bodyField, "a\ud800b"); // 'Body: contains a lone surrogate "\\ud800", which is not valid Unicode'
 */
export function textProblem(
  field: Field,
  text: string,
  mayHaveLoneSurrogate = true,
): string | undefined {
  if (field.maxLength !== undefined && text.length > field.maxLength) {
    return `${field.key}: text of ${text.length} characters is longer than ${field.maxLength}`;
  }
  const lone = mayHaveLoneSurrogate ? firstLoneSurrogate(text) : undefined;
  if (lone !== undefined) {
    return `${field.key}: contains a lone surrogate ${show(lone)}, which is not valid Unicode`;
  }
  if (field.shape === "tags" && text !== "" && !TAG_LIST.test(text)) {
    return `${field.key}: ${show(text)} is not a list of tags like <a><b> or |a|b|`;
  }
  return undefined;
}

function parseInteger(field: Field, raw: unknown): number | bigint | Refusal {
  let value: number | bigint;
  if (typeof raw === "number" && Number.isSafeInteger(raw)) value = raw;
  else if (typeof raw === "string" && isCanonicalInteger(raw)) {
    value = raw.length < 16 ? Number(raw) : BigInt(raw);
    if (typeof value === "bigint") {
      if (value > INT64_MAX || value < INT64_MIN) {
        return refuse(field, raw, "is outside the 64-bit integer range");
      }
      if (value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) {
        value = Number(value);
      }
    }
  } else if (typeof raw === "number" && Number.isInteger(raw)) {
    return new Refusal(
      `${field.key}: a JSON number beyond 2^53, which JSON readers round (to ${String(raw)}); send it as a string`,
    );
  } else return refuse(field, raw, "is not an integer");

  const problem = integerProblem(field, value);
  return problem === undefined ? value : refuse(field, raw, problem);
}

/**
 * Why an integer does not fit its field (an id must be positive, a count not negative), or
 * undefined when it fits. The fast path asks too, so both paths decide alike.
 *
 * @example
 * integerProblem(postIdField, 0); // "is not a positive id"
 */
export function integerProblem(field: Field, value: number | bigint): string | undefined {
  if (field.type === "id" && value <= 0) return "is not a positive id";
  if (field.type === "count" && value < 0) return "is negative";
  return undefined;
}

/** `0`, or an optional `-` and digits without a leading zero. */
function isCanonicalInteger(text: string): boolean {
  const start = text.charCodeAt(0) === MINUS ? 1 : 0;
  const length = text.length;
  if (length === start) return false;
  const first = text.charCodeAt(start);
  if (first === DIGIT_0) return length === 1;
  for (let index = start; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code < DIGIT_0 || code > DIGIT_9) return false;
  }
  return true;
}

function parseTimestamp(field: Field, raw: unknown, window: TimeWindow): string | Refusal {
  if (typeof raw !== "string" || !hasTimestampShape(raw)) {
    return refuse(field, raw, "is not a timestamp like 2021-09-04T00:00:00.000");
  }
  if (!isRealTime(raw)) return refuse(field, raw, "is not a real date and time");
  if (isInside(raw, window)) return raw;
  return raw < window.earliest
    ? refuse(field, raw, `is before ${window.earliest.slice(0, 10)}, when Stack Exchange began`)
    : refuse(field, raw, `is later than the time of the run (${window.latest})`);
}

/**
 * True for `YYYY-MM-DDTHH:MM:SS.fff` naming a real calendar time (no 30 February, no hour 24)
 * inside the window: the timestamps {@link parseValue} accepts.
 *
 * @example
 * acceptsTimestamp("2020-02-29T23:59:59.999", timeWindow()); // true
 * acceptsTimestamp("2021-02-29T00:00:00.000", timeWindow()); // false
 * acceptsTimestamp("0001-01-01T00:00:00.000", timeWindow()); // false
 */
export function acceptsTimestamp(text: string, window: TimeWindow): boolean {
  return hasTimestampShape(text) && isRealTime(text) && isInside(text, window);
}

/** Compares years first: comparing the strings costs more, and is needed in the edge years only. */
function isInside(text: string, window: TimeWindow): boolean {
  const year = number(text, 0, 4);
  if (year > number(window.earliest, 0, 4) && year < number(window.latest, 0, 4)) return true;
  return text >= window.earliest && text <= window.latest;
}

function isRealTime(text: string): boolean {
  const year = number(text, 0, 4);
  const month = number(text, 5, 2);
  const day = number(text, 8, 2);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    number(text, 11, 2) < 24 &&
    number(text, 14, 2) < 60 &&
    number(text, 17, 2) < 60
  );
}

/** `DDDD-DD-DDTDD:DD:DD.DDD`, D a digit. */
function hasTimestampShape(text: string): boolean {
  if (text.length !== TIMESTAMP_LENGTH) return false;
  for (let index = 0; index < TIMESTAMP_LENGTH; index++) {
    const code = text.charCodeAt(index);
    const expected = SEPARATORS[index];
    if (expected === undefined ? code < DIGIT_0 || code > DIGIT_9 : code !== expected) return false;
  }
  return true;
}

const SEPARATORS: readonly (number | undefined)[] = Array.from("DDDD-DD-DDTDD:DD:DD.DDD", (char) =>
  char === "D" ? undefined : char.charCodeAt(0),
);

function number(text: string, start: number, length: number): number {
  let value = 0;
  for (let index = start; index < start + length; index++) {
    value = value * 10 + text.charCodeAt(index) - DIGIT_0;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function refuse(field: Field, raw: unknown, problem: string): Refusal {
  return new Refusal(`${field.key}: ${show(raw)} ${problem}`);
}

/**
 * The value as JSON, cut to a few dozen characters (never inside a surrogate pair). An object or
 * an array is named, not written out: it may be nested deeper than JSON.stringify can go.
 */
function show(raw: unknown): string {
  if (Array.isArray(raw)) return "an array";
  if (typeof raw === "object" && raw !== null) return "an object";
  const text = typeof raw === "number" ? String(raw) : JSON.stringify(raw);
  return text.length > MAX_SHOWN_CHARS ? `${cutText(text, MAX_SHOWN_CHARS)}…` : text;
}

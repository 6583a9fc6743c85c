import type { Field, FieldValue } from "../model/field.js";

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const MAX_SHOWN_CHARS = 60;
const TIMESTAMP_LENGTH = "2021-09-04T00:00:00.000".length;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const MINUS = 45;

/** Why a delivered value was refused; only made for values that fail, so valid data allocates none. */
export class Refusal {
  readonly reason: string;

  constructor(reason: string) {
    this.reason = reason;
  }
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
export function parseValue(field: Field, raw: unknown): FieldValue | Refusal {
  switch (field.type) {
    case "text":
      return parseText(field, raw);
    case "timestamp":
      return parseTimestamp(field, raw);
    default:
      return parseInteger(field, raw);
  }
}

function parseText(field: Field, raw: unknown): string | Refusal {
  if (typeof raw !== "string") return refuse(field, raw, "is not a string");
  if (field.maxLength !== undefined && raw.length > field.maxLength) {
    return new Refusal(
      `${field.key}: text of ${raw.length} characters is longer than ${field.maxLength}`,
    );
  }
  return raw;
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
  } else return refuse(field, raw, "is not an integer");

  if (field.type === "id" && value <= 0) return refuse(field, raw, "is not a positive id");
  if (field.type === "count" && value < 0) return refuse(field, raw, "is negative");
  return value;
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

function parseTimestamp(field: Field, raw: unknown): string | Refusal {
  if (typeof raw !== "string" || !hasTimestampShape(raw)) {
    return refuse(field, raw, "is not a timestamp like 2021-09-04T00:00:00.000");
  }
  return isRealTime(raw) ? raw : refuse(field, raw, "is not a real date and time");
}

/**
 * True for `YYYY-MM-DDTHH:MM:SS.fff` naming a real calendar time (no 30 February, no hour 24).
 *
 * @example
 * isRealTimestamp("2020-02-29T23:59:59.999"); // true
 * isRealTimestamp("2021-02-29T00:00:00.000"); // false
 */
export function isRealTimestamp(text: string): boolean {
  return hasTimestampShape(text) && isRealTime(text);
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

function show(raw: unknown): string {
  const text = JSON.stringify(raw);
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
}

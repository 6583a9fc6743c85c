import type { Field, FieldValue } from "../model/field.js";

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const CANONICAL_INTEGER = /^(?:0|-?[1-9][0-9]*)$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})$/;
const MAX_SHOWN_CHARS = 60;

/** A value accepted for its field, or why it was not. */
export type ParseResult =
  | { readonly ok: true; readonly value: FieldValue }
  | { readonly ok: false; readonly reason: string };

/**
 * Checks one delivered value against its field and converts it to what the warehouse stores.
 * Nothing is coerced: a value that is not exactly what the field allows is refused with a reason
 * naming the field and the value.
 *
 * @example
 * parseValue(scoreField, "-3"); // { ok: true, value: -3 }
 * parseValue(scoreField, "3.5"); // { ok: false, reason: 'Score: "3.5" is not an integer' }
 */
export function parseValue(field: Field, raw: unknown): ParseResult {
  switch (field.type) {
    case "text":
      return parseText(field, raw);
    case "timestamp":
      return parseTimestamp(field, raw);
    default:
      return parseInteger(field, raw);
  }
}

function parseText(field: Field, raw: unknown): ParseResult {
  if (typeof raw !== "string") return refuse(field, raw, "is not a string");
  if (field.maxLength !== undefined && raw.length > field.maxLength) {
    return {
      ok: false,
      reason: `${field.key}: text of ${raw.length} characters is longer than ${field.maxLength}`,
    };
  }
  return { ok: true, value: raw };
}

function parseInteger(field: Field, raw: unknown): ParseResult {
  let value: number | bigint;
  if (typeof raw === "number" && Number.isSafeInteger(raw)) value = raw;
  else if (typeof raw === "string" && CANONICAL_INTEGER.test(raw)) {
    value = raw.length < 16 ? Number(raw) : BigInt(raw);
    if (typeof value === "bigint") {
      if (value > INT64_MAX || value < INT64_MIN)
        return refuse(field, raw, "is outside the 64-bit integer range");
      if (value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER))
        value = Number(value);
    }
  } else return refuse(field, raw, "is not an integer");

  if (field.type === "id" && value <= 0) return refuse(field, raw, "is not a positive id");
  if (field.type === "count" && value < 0) return refuse(field, raw, "is negative");
  return { ok: true, value };
}

function parseTimestamp(field: Field, raw: unknown): ParseResult {
  const match = typeof raw === "string" ? TIMESTAMP.exec(raw) : null;
  if (match === null) return refuse(field, raw, "is not a timestamp like 2021-09-04T00:00:00.000");
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const real =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  if (!real) return refuse(field, raw, "is not a real date and time");
  return { ok: true, value: raw as string };
}

function refuse(field: Field, raw: unknown, problem: string): ParseResult {
  return { ok: false, reason: `${field.key}: ${show(raw)} ${problem}` };
}

function show(raw: unknown): string {
  const text = JSON.stringify(raw);
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
}

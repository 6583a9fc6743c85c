import type { QueryValue } from "../query/read-only-query.js";

/**
 * Splits one line of ClickHouse's TabSeparated output into its fields, unescaped. A tab inside a
 * value is always escaped (`\t`), so every raw tab separates fields; `\N` alone is NULL.
 *
 * @example
 * tsvFields("1\ta\\tb\t\\N"); // ["1", "a\tb", null]
 */
export function tsvFields(line: string): (string | null)[] {
  return line.split("\t").map((field) => (field === "\\N" ? null : unescape(field)));
}

const ESCAPES: Readonly<Record<string, string>> = {
  b: "\b",
  f: "\f",
  r: "\r",
  n: "\n",
  t: "\t",
  "0": "\0",
  "'": "'",
  "\\": "\\",
};

function unescape(field: string): string {
  if (!field.includes("\\")) return field;
  return field.replace(/\\(.)/gs, (_, char: string) => ESCAPES[char] ?? char);
}

/** Integer types that fit a double exactly; wider ones are read as bigint, then narrowed. */
const SMALL_INTEGERS = /^U?Int(8|16|32)$/;
const WIDE_INTEGERS = /^U?Int(64|128|256)$/;

/**
 * Turns one field into the value SQLite reads give for the same column type: integers as numbers,
 * and as bigint beyond 2^53 so 9007199254740993 stays exact; floats as numbers; anything else
 * (strings, dates, decimals, arrays) as the text ClickHouse printed. With `exactIntegers`, every
 * integer is a bigint, so a float is told by being a number.
 *
 * @example
 * typedValue("Int64", "9007199254740993"); // 9007199254740993n
 * typedValue("Nullable(UInt8)", "7"); // 7
 */
export function typedValue(type: string, field: string | null, exactIntegers = false): QueryValue {
  if (field === null) return null;
  const base = baseType(type);
  const integer = SMALL_INTEGERS.test(base) || WIDE_INTEGERS.test(base);
  if (integer && exactIntegers && /^-?\d+$/.test(field)) return BigInt(field);
  if (SMALL_INTEGERS.test(base)) return Number(field);
  if (WIDE_INTEGERS.test(base)) return exactInteger(field);
  if (base === "Float32" || base === "Float64") return float(field);
  return field;
}

function baseType(type: string): string {
  const wrapped = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(type);
  return wrapped?.[1] === undefined ? type : baseType(wrapped[1]);
}

function exactInteger(field: string): number | bigint {
  if (!/^-?\d+$/.test(field)) return Number(field);
  const value = BigInt(field);
  const safe = value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER);
  return safe ? Number(value) : value;
}

function float(field: string): number {
  if (field === "inf" || field === "+inf") return Infinity;
  if (field === "-inf") return -Infinity;
  if (field === "nan" || field === "-nan") return NaN;
  return Number(field);
}

/**
 * SQL literals for ClickHouse, which in the 18.16 releases stackhouse supports has no query
 * parameters. Every value that must be embedded in ClickHouse SQL goes through here; identifiers
 * never do: they come only from constants.
 *
 * @example
 * sqlString("it's"); // "'it\\'s'"
 */
export function sqlString(value: string): string {
  return `'${value
    .replace(/[\\']/g, (char) => `\\${char}`)
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")
    .replace(/\0/g, "\\0")}'`;
}

/** A finite integer as a literal; anything else is refused rather than embedded. */
export function sqlInteger(value: number | bigint): string {
  if (typeof value === "bigint" || Number.isSafeInteger(value)) return String(value);
  throw new RangeError(`not an integer: ${String(value)}`);
}

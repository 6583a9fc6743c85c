/**
 * One delivered record: keys in the supplier's order, every value a string, absent values omitted.
 */
export type FlatRecord = Readonly<Record<string, string>>;

/**
 * Serialises records in the supplier's layout, one chunk per record: a single JSON array with one
 * record per line, the first line starting `[{`, later lines starting `,{`, and a last line `]`
 * with no newline after it. An empty input gives `[]`.
 *
 * @example
 * [...supplierLayout([{ Id: "1" }, { Id: "2" }])].join(""); // '[{"Id":"1"}\n,{"Id":"2"}\n]'
 */
export function* supplierLayout(records: Iterable<FlatRecord>): Generator<string> {
  let first = true;
  for (const record of records) {
    yield (first ? "[" : "\n,") + JSON.stringify(record);
    first = false;
  }
  yield first ? "[]" : "\n]";
}

/**
 * Serialises records as NDJSON: one JSON object per line, each line ending in a newline.
 *
 * @example
 * [...ndjsonLayout([{ Id: "1" }, { Id: "2" }])].join(""); // '{"Id":"1"}\n{"Id":"2"}\n'
 */
export function* ndjsonLayout(records: Iterable<FlatRecord>): Generator<string> {
  for (const record of records) {
    yield `${JSON.stringify(record)}\n`;
  }
}

/**
 * The whole supplier-layout text of a few records, for tests and small fixtures.
 *
 * @example
 * toSupplierJson([{ Id: "1" }]); // '[{"Id":"1"}\n]'
 */
export function toSupplierJson(records: Iterable<FlatRecord>): string {
  return [...supplierLayout(records)].join("");
}

/**
 * The whole NDJSON text of a few records, for tests and small fixtures.
 *
 * @example
 * toNdjson([{ Id: "1" }]); // '{"Id":"1"}\n'
 */
export function toNdjson(records: Iterable<FlatRecord>): string {
  return [...ndjsonLayout(records)].join("");
}

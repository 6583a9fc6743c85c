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

/** How the data dump escapes a value in an attribute: markup, quotes and line ends. */
const XML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "\n": "&#xA;",
  "\r": "&#xD;",
  "\t": "&#x9;",
};

/** The data dump's name for a key the supplier's JSON spells differently. */
const DUMP_KEYS: Readonly<Record<string, string>> = { ContentLIcense: "ContentLicense" };

/**
 * Serialises records in the Stack Exchange data dump's XML layout, one chunk per record: a byte
 * order mark and XML declaration, the root element named for the kind, and one `<row .../>` per
 * record with every value an attribute (markup escaped, line ends as `&#xA;`), CRLF line ends.
 *
 * @example
 * [...dumpXmlLayout("votes", [{ Id: "1" }])].join(""); // '\uFEFF<?xml …?>\r\n<votes>\r\n  <row Id="1" />\r\n</votes>'
 */
export function* dumpXmlLayout(
  root: "posts" | "votes",
  records: Iterable<FlatRecord>,
): Generator<string> {
  yield `\uFEFF<?xml version="1.0" encoding="utf-8"?>\r\n<${root}>\r\n`;
  for (const record of records) {
    const attributes = Object.entries(record).map(
      ([key, value]) =>
        `${DUMP_KEYS[key] ?? key}="${value.replace(/[&<>"\n\r\t]/g, (char) => XML_ESCAPES[char] ?? char)}"`,
    );
    yield `  <row ${attributes.join(" ")} />\r\n`;
  }
  yield `</${root}>`;
}

/**
 * The whole data-dump XML text of a few records, for tests and small fixtures.
 *
 * @example
 * toDumpXml("votes", [{ Id: "1" }]); // '\uFEFF<?xml …?>\r\n<votes>\r\n  <row Id="1" />\r\n</votes>'
 */
export function toDumpXml(root: "posts" | "votes", records: Iterable<FlatRecord>): string {
  return [...dumpXmlLayout(root, records)].join("");
}

import type { RawRecord } from "./scanned-record.js";

const SLASH = 0x2f;
const GREATER_THAN = 0x3e;

/**
 * A data dump row as a record. Its text is decoded only when asked for (to quarantine it), from
 * the copy of the chunk it came in.
 *
 * @example
 * const row = new XmlRow({ value: { Id: "1" }, keys: ["Id"] }, Buffer.from('<row Id="1" />'), 0, 14, 1, 1, false);
 * row.text; // '<row Id="1" />'
 */
export class XmlRow implements RawRecord {
  private decoded: string | undefined;

  constructor(
    private readonly attributes: {
      readonly value: Record<string, string>;
      readonly keys: readonly string[];
    },
    private readonly bytes: Buffer,
    private readonly start: number,
    private readonly end: number,
    readonly number: number,
    readonly line: number,
    readonly invalidUtf8: boolean,
  ) {}

  get value(): Readonly<Record<string, string>> {
    return this.attributes.value;
  }

  get keys(): readonly string[] {
    return this.attributes.keys;
  }

  get text(): string {
    return (this.decoded ??= this.bytes.toString("utf8", this.start, this.end));
  }
}

/** True when the start tag at `buf[start]` is `<row` followed by whitespace, `/` or `>`. */
export function isRowTag(buf: Buffer, start: number): boolean {
  const after = buf[start + 4];
  return (
    buf[start + 1] === 0x72 &&
    buf[start + 2] === 0x6f &&
    buf[start + 3] === 0x77 &&
    (after === 0x20 ||
      after === 0x09 ||
      after === 0x0a ||
      after === 0x0d ||
      after === SLASH ||
      after === GREATER_THAN)
  );
}

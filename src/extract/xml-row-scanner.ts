import { isUtf8 } from "node:buffer";
import { DELIVERY_KINDS, type DeliveryKind } from "../model/kinds.js";
import { MarkupEnds } from "./markup-ends.js";
import { AttributeReader, XmlSyntaxError } from "./xml-attributes.js";
import { isRowTag, XmlRow } from "./xml-row.js";
import { MAX_RECORD_BYTES, PositionError, type RawRecord } from "./scanned-record.js";

const EMPTY = Buffer.alloc(0);
const LESS_THAN = 0x3c;
const NEWLINE = 0x0a;
const ROW = "row";
const SLASH = 0x2f;
const QUESTION_MARK = 0x3f;
const EXCLAMATION_MARK = 0x21;
const BYTE_ORDER_MARK = Buffer.from([0xef, 0xbb, 0xbf]);

/** Where the scanner is in the document. */
type Mode =
  | "prolog" // before the root element: declaration, comments, whitespace
  | "root" // inside the root: rows, comments, whitespace
  | "row-open" // inside `<row ...>`, waiting for `</row>`
  | "epilog"; // after the root element: comments and whitespace only

/**
 * Splits the Stack Exchange data dump's XML (`<posts><row Id="1" .../>...</posts>`) into
 * records without holding more than one row in memory: each row's attributes become the
 * record's keys and string values, exactly as the supplier's JSON gives them.
 *
 * Strict where a broken file would otherwise lose rows: a truncated file, an unclosed element, an
 * unknown entity, a root other than `<posts>` or `<votes>` (or not the kind expected), text or
 * other elements between rows, a DOCTYPE, and an encoding other than UTF-8 are refused with their
 * line and column. An XML declaration, comments, a byte order mark and CRLF line ends are accepted.
 *
 * @example
 * const scanner = new XmlRowScanner("votes");
 * for await (const chunk of stream) for (const record of scanner.push(chunk)) use(record);
 * scanner.end();
 */
export class XmlRowScanner {
  private readonly expected: DeliveryKind | undefined;
  private mode: Mode = "prolog";
  private root = "";
  private openRow: RawRecord | undefined;
  private pending: Buffer = EMPTY;
  /** Absolute offset of pending[0] (or of the chunk, when nothing is pending) in the stream. */
  private base = 0;
  private line = 1;
  private lineStart = 0;
  private recordCount = 0;
  /** The unfinished markup's start in `pending`, its line and column; -1 between markup. */
  private markupStart = -1;
  private markupLine = 0;
  private markupColumn = 0;
  private readonly attributes = new AttributeReader();
  /** The buffer rows keep their text in: the one being scanned, copied if it is the caller's chunk. */
  private copy: Buffer | undefined;
  /** The buffer being scanned was joined here (not the caller's chunk), so rows may keep it. */
  private ownsBuffer = false;
  /** The whole buffer being scanned is valid UTF-8, so no row in it need be checked alone. */
  private allUtf8 = true;

  /** @param expected the kind the file must hold; its root element must be named for it */
  constructor(expected?: DeliveryKind) {
    this.expected = expected;
  }

  /** How many rows have been completed so far. */
  get recordsSeen(): number {
    return this.recordCount;
  }

  /** Rows completed by this chunk, in order. Throws {@link PositionError}. */
  push(chunk: Buffer): RawRecord[] {
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const records: RawRecord[] = [];
    let pos = 0;
    if (this.base === 0 && this.mode === "prolog" && this.markupStart < 0) {
      if (
        buf.length < BYTE_ORDER_MARK.length &&
        BYTE_ORDER_MARK.subarray(0, buf.length).equals(buf)
      ) {
        this.pending = Buffer.from(buf);
        return records;
      }
      pos = buf.subarray(0, BYTE_ORDER_MARK.length).equals(BYTE_ORDER_MARK) ? 3 : 0;
    }
    if (this.markupStart >= 0) pos = this.markupStart;
    this.markupStart = -1;
    const ends = new MarkupEnds(buf);
    this.copy = undefined;
    this.ownsBuffer = buf !== chunk;
    this.allUtf8 = isUtf8(buf);
    while (pos < buf.length) {
      const byte = buf[pos] as number;
      if (byte === NEWLINE) {
        this.line++;
        this.lineStart = this.base + pos + 1;
        pos++;
      } else if (byte === 0x20 || byte === 0x09 || byte === 0x0d) {
        pos++;
      } else if (byte === LESS_THAN) {
        const end = ends.after(pos);
        if (end < 0) {
          this.keep(buf, pos);
          return records;
        }
        this.markup(buf, pos, end, records);
        pos = end + 1;
      } else {
        throw this.error(this.textMessage(byte), this.line, this.columnAt(pos));
      }
    }
    this.base += buf.length;
    this.pending = EMPTY;
    return records;
  }

  /** Declares the end of input; throws when the document stopped before it was complete. */
  end(): void {
    if (this.markupStart >= 0) {
      throw this.error(
        "truncated: the file ends inside this tag",
        this.markupLine,
        this.markupColumn,
      );
    }
    const column = this.base - this.lineStart + 1;
    if (this.mode === "prolog") throw this.error("the file has no root element", this.line, column);
    if (this.mode === "root" || this.mode === "row-open") {
      const what =
        this.mode === "row-open"
          ? `<row> and the root element <${this.root}> are`
          : `the root element <${this.root}> is`;
      throw this.error(`truncated: ${what} not closed (no </${this.root}>)`, this.line, column);
    }
  }

  private markup(buf: Buffer, start: number, end: number, records: RawRecord[]): void {
    this.markupLine = this.line;
    this.markupColumn = this.columnAt(start);
    this.countLines(buf, start, end);
    const second = buf[start + 1];
    if (second === QUESTION_MARK) this.instruction(buf.toString("utf8", start, end + 1));
    else if (second === EXCLAMATION_MARK) this.declaration(buf, start);
    else if (second === SLASH) this.endTag(buf.toString("utf8", start + 2, end).trimEnd(), records);
    else this.startTag(buf, start, end, records);
  }

  private declaration(buf: Buffer, start: number): void {
    if (buf.toString("latin1", start, start + 4) === "<!--") return;
    const cdata = buf.toString("latin1", start, start + 9) === "<![CDATA[";
    const what = cdata ? "CDATA section" : "DOCTYPE or declaration";
    throw this.at(`a ${what} is not allowed in a data dump`);
  }

  private startTag(buf: Buffer, start: number, end: number, records: RawRecord[]): void {
    const selfClosing = buf[end - 1] === SLASH;
    const name = isRowTag(buf, start)
      ? ROW
      : (/^<[^\s/>]*/.exec(buf.toString("utf8", start, end + 1))?.[0].slice(1) ?? "");
    if (this.mode === "prolog") {
      this.rootTag(name, selfClosing);
      return;
    }
    if (this.mode !== "root" || name !== ROW) {
      const where = this.mode === "epilog" ? "after" : "inside";
      const parent = this.mode === "row-open" ? "<row>" : `<${this.root}>`;
      throw this.at(
        `unexpected element <${name}> ${where} ${parent}: only <row> elements hold records`,
      );
    }
    const record = this.row(buf, start, end, selfClosing);
    if (selfClosing) records.push(record);
    else {
      this.openRow = record;
      this.mode = "row-open";
    }
  }

  private instruction(text: string): void {
    if (!text.endsWith("?>")) throw this.at("a processing instruction is not closed with '?>'");
    if (!/^<\?xml[\s?]/.test(text)) return;
    const encoding = /encoding\s*=\s*["']([^"']*)["']/.exec(text)?.[1];
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
      throw this.at(`the file declares encoding ${encoding}; only UTF-8 is read`);
    }
  }

  private rootTag(name: string, selfClosing: boolean): void {
    const kind = DELIVERY_KINDS.find((each) => each === name);
    if (kind === undefined) {
      throw this.at(`the root element is <${name}>, but a data dump's is <posts> or <votes>`);
    }
    if (this.expected !== undefined && kind !== this.expected) {
      throw this.at(
        `this looks like a ${kind} file (root element <${kind}>), but a ${this.expected} file was expected here`,
      );
    }
    this.root = name;
    this.mode = selfClosing ? "epilog" : "root";
  }

  private endTag(name: string, records: RawRecord[]): void {
    if (this.mode === "row-open" && name === ROW && this.openRow !== undefined) {
      records.push(this.openRow);
      this.openRow = undefined;
      this.mode = "root";
      return;
    }
    if (this.mode === "root" && name === this.root) {
      this.mode = "epilog";
      return;
    }
    const open = this.mode === "row-open" ? "row" : this.mode === "root" ? this.root : undefined;
    throw this.at(
      open === undefined
        ? `unexpected end tag </${name}>`
        : `end tag </${name}> does not match the open element <${open}>`,
    );
  }

  private row(buf: Buffer, start: number, end: number, selfClosing: boolean): RawRecord {
    const number = this.recordCount + 1;
    let attributes;
    try {
      attributes = this.attributes.read(buf, start + ROW.length + 1, end - (selfClosing ? 1 : 0));
    } catch (error) {
      if (!(error instanceof XmlSyntaxError)) throw error;
      let line = this.markupLine;
      let lineStart = -1;
      let newline = buf.indexOf(NEWLINE, start);
      while (newline >= 0 && newline < error.offset) {
        line++;
        lineStart = newline + 1;
        newline = buf.indexOf(NEWLINE, newline + 1);
      }
      const column =
        lineStart < 0 ? this.markupColumn + error.offset - start : error.offset - lineStart + 1;
      const message = `row ${number} is not well-formed XML: ${error.message}`;
      throw new PositionError(message, line, column);
    }
    this.recordCount = number;
    this.copy ??= this.ownsBuffer ? buf : Buffer.from(buf);
    const invalidUtf8 = !this.allUtf8 && !isUtf8(buf.subarray(start, end + 1));
    return new XmlRow(attributes, this.copy, start, end + 1, number, this.markupLine, invalidUtf8);
  }

  private countLines(buf: Buffer, start: number, end: number): void {
    let newline = buf.indexOf(NEWLINE, start);
    while (newline >= 0 && newline < end) {
      this.line++;
      this.lineStart = this.base + newline + 1;
      newline = buf.indexOf(NEWLINE, newline + 1);
    }
  }

  private keep(buf: Buffer, start: number): void {
    const kept = buf.length - start;
    if (kept > MAX_RECORD_BYTES) {
      throw this.error(
        `a tag is longer than ${MAX_RECORD_BYTES} bytes`,
        this.line,
        this.columnAt(start),
      );
    }
    this.markupLine = this.line;
    this.markupColumn = this.columnAt(start);
    this.pending = Buffer.from(buf.subarray(start));
    this.base += start;
    this.markupStart = 0;
  }

  private textMessage(byte: number): string {
    const shown =
      byte >= 0x21 && byte <= 0x7e
        ? `'${String.fromCharCode(byte)}'`
        : `byte 0x${byte.toString(16)}`;
    if (this.mode === "prolog") return `expected '<' (an XML element), found ${shown}`;
    if (this.mode === "epilog") return `unexpected ${shown} after the end of the root element`;
    return `unexpected text (${shown}) between rows: only <row .../> elements hold records`;
  }

  private columnAt(pos: number): number {
    return this.base + pos - this.lineStart + 1;
  }

  private at(message: string): PositionError {
    return this.error(message, this.markupLine, this.markupColumn);
  }

  private error(message: string, line: number, column: number): PositionError {
    return new PositionError(message, line, column);
  }
}

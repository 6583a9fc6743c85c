/** A well-formedness error at a byte offset in a tag. */
export class XmlSyntaxError extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.name = "XmlSyntaxError";
    this.offset = offset;
  }
}

const TAB = 0x09;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const HASH = 0x23;
const AMPERSAND = 0x26;
const APOSTROPHE = 0x27;
const SEMICOLON = 0x3b;
const LESS_THAN = 0x3c;
const EQUALS = 0x3d;
const LOWER_X = 0x78;
/** Bytes that end an attribute's name, as a table indexed by byte. */
const NAME_END = new Uint8Array(256);
for (const byte of [SPACE, TAB, NEWLINE, CARRIAGE_RETURN, EQUALS, QUOTE, APOSTROPHE]) {
  NAME_END[byte] = 1;
}
const NAME_START = /^[A-Za-z_:\u00C0-\uFFFF][-A-Za-z0-9_.:\u00B7-\uFFFF]*$/;
/** The entities XML defines without a DTD. */
const NAMED: ReadonlyMap<string, number> = new Map([
  ["lt", 0x3c],
  ["gt", 0x3e],
  ["amp", 0x26],
  ["quot", 0x22],
  ["apos", 0x27],
]);

/**
 * Reads the attributes of start tags, byte by byte: each value with its entity and character
 * references decoded and its literal tabs and line ends made spaces, as XML reads them. Keys are
 * listed in order with repeats, so a record naming a field twice can be refused as in JSON.
 * Names seen before are reused rather than decoded again (a dump's rows repeat them).
 *
 * @example
 * const attributes = new AttributeReader();
 * const tag = Buffer.from('<row Id="1" Body="a &lt;b&gt;&#xA;c" />');
 * attributes.read(tag, 4, tag.length - 2).value; // { Id: "1", Body: "a <b>\nc" }
 */
export class AttributeReader {
  private names: { readonly bytes: Buffer; readonly name: string }[] = [];
  private scratch = Buffer.alloc(64 * 1024);

  /** The attributes between `from` (after the element's name) and `to` (before `>` or `/>`). */
  read(
    buf: Buffer,
    from: number,
    to: number,
  ): { readonly value: Record<string, string>; readonly keys: readonly string[] } {
    const value: Record<string, string> = {};
    const keys: string[] = [];
    let pos = from;
    for (;;) {
      const spaced = pos;
      while (pos < to && isSpace(buf[pos] as number)) pos++;
      if (pos >= to) break;
      if (pos === spaced)
        throw new XmlSyntaxError("attributes must be separated by whitespace", pos);
      const nameStart = pos;
      while (pos < to && NAME_END[buf[pos] as number] === 0) pos++;
      const name = this.name(buf, nameStart, pos);
      while (pos < to && isSpace(buf[pos] as number)) pos++;
      if (buf[pos] !== EQUALS || pos >= to) {
        throw new XmlSyntaxError(`expected '=' after the attribute name ${name}`, pos);
      }
      pos++;
      while (pos < to && isSpace(buf[pos] as number)) pos++;
      const quote = buf[pos];
      if ((quote !== QUOTE && quote !== APOSTROPHE) || pos >= to) {
        throw new XmlSyntaxError(`the value of ${name} must be in quotes`, pos);
      }
      const close = buf.indexOf(quote, pos + 1);
      if (close < 0 || close >= to)
        throw new XmlSyntaxError(`the value of ${name} is not closed`, pos);
      keys.push(name);
      const decoded = this.value(buf, pos + 1, close);
      if (name === "__proto__")
        Object.defineProperty(value, name, { value: decoded, enumerable: true });
      else value[name] = decoded;
      pos = close + 1;
    }
    return { value, keys };
  }

  private name(buf: Buffer, start: number, end: number): string {
    const length = end - start;
    for (const known of this.names) {
      if (known.bytes.length === length && sameBytes(known.bytes, buf, start)) return known.name;
    }
    const name = buf.toString("utf8", start, end);
    if (!NAME_START.test(name)) {
      const shown = name === "" ? `'${String.fromCharCode(buf[start] ?? 0)}'` : name;
      throw new XmlSyntaxError(
        name === ""
          ? `expected an attribute name, found ${shown}`
          : `${name} is not a valid attribute name`,
        start,
      );
    }
    if (this.names.length < 64)
      this.names.push({ bytes: Buffer.from(buf.subarray(start, end)), name });
    return name;
  }

  /** The value of `buf[start..end)`: as it is, unless it has references, line ends or tabs. */
  private value(buf: Buffer, start: number, end: number): string {
    for (let pos = start; pos < end; pos++) {
      const byte = buf[pos] as number;
      if (byte < SPACE || byte === AMPERSAND || byte === LESS_THAN) {
        return this.decode(buf, start, end, pos);
      }
    }
    return buf.toString("utf8", start, end);
  }

  /** Decodes a value from `from` on (what precedes it is plain) into the scratch buffer. */
  private decode(buf: Buffer, start: number, end: number, from: number): string {
    if (this.scratch.length < 4 * (end - start)) this.scratch = Buffer.alloc(4 * (end - start));
    const out = this.scratch;
    let length = buf.copy(out, 0, start, from);
    let pos = from;
    while (pos < end) {
      const byte = buf[pos] as number;
      if (byte === AMPERSAND) {
        const code = referenceAt(buf, pos, end);
        if (code < 0) throw referenceError(buf, pos, end);
        length = writeUtf8(out, length, code);
        pos = referenceEnd;
      } else if (byte === LESS_THAN) {
        throw new XmlSyntaxError("'<' is not allowed in an attribute value (write &lt;)", pos);
      } else if (byte === CARRIAGE_RETURN || byte === NEWLINE || byte === TAB) {
        out[length++] = SPACE;
        pos += byte === CARRIAGE_RETURN && buf[pos + 1] === NEWLINE ? 2 : 1;
      } else if (byte < SPACE) {
        throw new XmlSyntaxError(`character ${codePointName(byte)} is not allowed in XML`, pos);
      } else {
        out[length++] = byte;
        pos++;
      }
    }
    return out.toString("utf8", 0, length);
  }
}

/** Where the reference {@link referenceAt} read last ends (after its `;`). */
let referenceEnd = 0;

/**
 * The code point of the reference starting at `buf[at]` (an `&`), or -1 when there is none there;
 * {@link referenceEnd} is then set past its `;`. Read from the bytes, with no string made.
 */
function referenceAt(buf: Buffer, at: number, end: number): number {
  const first = buf[at + 1];
  if (first !== HASH) {
    for (const [name, code] of NAMED) {
      const close = at + 1 + name.length;
      if (close < end && buf[close] === SEMICOLON && matches(buf, at + 1, name)) {
        referenceEnd = close + 1;
        return code;
      }
    }
    return -1;
  }
  const hex = buf[at + 2] === LOWER_X;
  let pos = hex ? at + 3 : at + 2;
  const digitsStart = pos;
  let code = 0;
  while (pos < end && pos - digitsStart <= 7) {
    const digit = digitValue(buf[pos] as number, hex);
    if (digit < 0) break;
    code = code * (hex ? 16 : 10) + digit;
    pos++;
  }
  if (pos === digitsStart || pos - digitsStart > 7 || buf[pos] !== SEMICOLON) return -1;
  if (!isXmlChar(code)) {
    throw new XmlSyntaxError(
      `&${buf.toString("latin1", at + 1, pos)}; refers to ${codePointName(code)}, which is not allowed in XML`,
      at,
    );
  }
  referenceEnd = pos + 1;
  return code;
}

/** Whether `buf` holds `bytes` at `at`; compared here, as names are short and a native call costs more. */
function sameBytes(bytes: Buffer, buf: Buffer, at: number): boolean {
  for (let index = 0; index < bytes.length; index++) {
    if (buf[at + index] !== bytes[index]) return false;
  }
  return true;
}

function matches(buf: Buffer, at: number, name: string): boolean {
  for (let index = 0; index < name.length; index++) {
    if (buf[at + index] !== name.charCodeAt(index)) return false;
  }
  return true;
}

function digitValue(byte: number, hex: boolean): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (!hex) return -1;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/** Writes a code point as UTF-8 at `out[at]`; returns the length after it. */
function writeUtf8(out: Buffer, at: number, code: number): number {
  if (code < 0x80) {
    out[at] = code;
    return at + 1;
  }
  if (code < 0x800) {
    out[at] = 0xc0 | (code >> 6);
    out[at + 1] = 0x80 | (code & 0x3f);
    return at + 2;
  }
  if (code < 0x10000) {
    out[at] = 0xe0 | (code >> 12);
    out[at + 1] = 0x80 | ((code >> 6) & 0x3f);
    out[at + 2] = 0x80 | (code & 0x3f);
    return at + 3;
  }
  out[at] = 0xf0 | (code >> 18);
  out[at + 1] = 0x80 | ((code >> 12) & 0x3f);
  out[at + 2] = 0x80 | ((code >> 6) & 0x3f);
  out[at + 3] = 0x80 | (code & 0x3f);
  return at + 4;
}

function referenceError(buf: Buffer, at: number, end: number): XmlSyntaxError {
  const name = /^&([^;&\s]{1,40});/.exec(buf.toString("utf8", at, Math.min(end, at + 42)))?.[1];
  return new XmlSyntaxError(
    name === undefined
      ? "'&' does not start an entity reference (write &amp;)"
      : `unknown entity &${name};`,
    at,
  );
}

function isSpace(byte: number): boolean {
  return byte === SPACE || byte === TAB || byte === NEWLINE || byte === CARRIAGE_RETURN;
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

function codePointName(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

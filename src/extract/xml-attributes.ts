/** A well-formedness error at an offset in a tag's text. */
export class XmlSyntaxError extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.name = "XmlSyntaxError";
    this.offset = offset;
  }
}

/** One attribute: whitespace before it, its name, `=`, and a value in double or single quotes. */
const ATTRIBUTE =
  /[\t\n\r ]+([A-Za-z_:\u00C0-\uFFFF][-A-Za-z0-9_.:\u00B7-\uFFFF]*)[\t\n\r ]*=[\t\n\r ]*(?:"([^"]*)"|'([^']*)')/y;
/** Characters XML 1.0 does not allow, even escaped: C0 controls but tab and line ends, U+FFFE, U+FFFF. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_XML_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const PREDEFINED: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/**
 * The attributes of a start tag's text between `from` (after the element's name) and `to`
 * (before `>` or `/>`): each value with its entities and character references decoded and its
 * literal tabs and line ends made spaces, as XML reads them. Keys are listed in order with
 * repeats, so a record naming a field twice can be refused as it is in JSON.
 *
 * @example
 * decodeAttributes('<row Id="1" Body="a &lt;b&gt;&#xA;c" />', 4, 36).value; // { Id: "1", Body: "a <b>\nc" }
 */
export function decodeAttributes(
  text: string,
  from: number,
  to: number,
): { readonly value: Record<string, string>; readonly keys: readonly string[] } {
  const value = Object.create(null) as Record<string, string>;
  const keys: string[] = [];
  let pos = from;
  for (;;) {
    ATTRIBUTE.lastIndex = pos;
    const match = ATTRIBUTE.exec(text);
    if (match === null || ATTRIBUTE.lastIndex > to) break;
    const name = match[1] as string;
    const raw = match[2] ?? match[3] ?? "";
    keys.push(name);
    value[name] = decodeValue(raw, ATTRIBUTE.lastIndex - raw.length - 1);
    pos = ATTRIBUTE.lastIndex;
  }
  const rest = text.slice(pos, to);
  if (rest.trim() !== "") throw new XmlSyntaxError(describeJunk(rest), pos);
  return { value, keys };
}

function decodeValue(raw: string, offset: number): string {
  const less = raw.indexOf("<");
  if (less >= 0) {
    throw new XmlSyntaxError(
      "'<' is not allowed in an attribute value (write &lt;)",
      offset + less,
    );
  }
  const illegal = NOT_XML_CHAR.exec(raw);
  if (illegal !== null) {
    throw new XmlSyntaxError(
      `character ${codePointName(illegal[0].codePointAt(0) ?? 0)} is not allowed in XML`,
      offset + illegal.index,
    );
  }
  const normalized = /[\t\n\r]/.test(raw) ? raw.replace(/\r\n|[\t\n\r]/g, " ") : raw;
  return normalized.includes("&") ? decodeEntities(normalized, offset) : normalized;
}

function decodeEntities(raw: string, offset: number): string {
  let decoded = "";
  let last = 0;
  let amp = raw.indexOf("&");
  while (amp >= 0) {
    const semicolon = raw.indexOf(";", amp + 1);
    const name = semicolon < 0 ? "" : raw.slice(amp + 1, semicolon);
    const char = semicolon < 0 ? undefined : entity(name, offset + amp);
    if (char === undefined) {
      throw new XmlSyntaxError(
        semicolon < 0 || name === "" || /[\s&]/.test(name)
          ? "'&' does not start an entity reference (write &amp;)"
          : `unknown entity &${name.slice(0, 40)};`,
        offset + amp,
      );
    }
    decoded += raw.slice(last, amp) + char;
    last = semicolon + 1;
    amp = raw.indexOf("&", last);
  }
  return decoded + raw.slice(last);
}

function entity(name: string, offset: number): string | undefined {
  const predefined = PREDEFINED[name];
  if (predefined !== undefined) return predefined;
  const reference = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(name);
  if (reference === null) return undefined;
  const code = reference[1] === undefined ? Number(reference[2]) : parseInt(reference[1], 16);
  if (!isXmlChar(code)) {
    throw new XmlSyntaxError(
      `&${name}; refers to ${codePointName(code)}, which is not allowed in XML`,
      offset,
    );
  }
  return String.fromCodePoint(code);
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

function describeJunk(rest: string): string {
  if (!/^[\t\n\r ]/.test(rest)) return "attributes must be separated by whitespace";
  const name = /^[\t\n\r ]+([^\s=/>"']+)?[\t\n\r ]*(=)?[\t\n\r ]*(["'])?/.exec(rest);
  if (name?.[1] === undefined) return `expected an attribute name, found '${rest.trim()[0]}'`;
  if (!/^[A-Za-z_:\u00C0-\uFFFF][-A-Za-z0-9_.:\u00B7-\uFFFF]*$/.test(name[1])) {
    return `${name[1]} is not a valid attribute name`;
  }
  if (name[2] === undefined) return `expected '=' after the attribute name ${name[1]}`;
  if (name[3] === undefined) return `the value of ${name[1]} must be in quotes`;
  return `the value of ${name[1]} is not closed`;
}

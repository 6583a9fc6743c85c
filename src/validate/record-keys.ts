import type { Field } from "../model/field.js";
import type { KindSpec } from "../model/kinds.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Why a record is refused for naming one field twice, or undefined when each field is given at
 * most once. `JSON.parse` keeps the last of repeated keys without a word, so give the keys as the
 * record's text lists them ({@link topLevelKeys}); a field's key and its alias (`ContentLicense`, `ContentLIcense`) are one
 * field. Repeated unknown keys are not refused: nothing of theirs is loaded.
 *
 * @example
 * repeatedFieldReason(KINDS.votes, topLevelKeys('{"Id":"1","Id":"2"}')); // "Id: given twice in one record"
 */
export function repeatedFieldReason(spec: KindSpec, keys: Iterable<string>): string | undefined {
  const seen = new Map<Field, string>();
  for (const key of keys) {
    const field = spec.fieldByKey.get(key);
    if (field === undefined) continue;
    const before = seen.get(field);
    if (before === undefined) {
      seen.set(field, key);
      continue;
    }
    const spellings = before === key ? "" : ` (as ${before} and ${key})`;
    return `${field.key}: given twice in one record${spellings}`;
  }
  return undefined;
}

/**
 * The keys of a JSON object's text, in order, repeats included. The text must be one valid JSON
 * object (the exact path lists keys only after `JSON.parse` accepted it).
 *
 * @example
 * topLevelKeys('{"a":{"b":1},"a":[2]}'); // ["a", "a"]
 */
export function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let keyNext = false;
  for (let pos = 0; pos < text.length; pos++) {
    const code = text.charCodeAt(pos);
    if (code === QUOTE) {
      const close = closingQuote(text, pos + 1);
      if (keyNext && depth === 1) keys.push(decodeKey(text, pos, close));
      keyNext = false;
      pos = close;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
      keyNext = code === OPEN_BRACE;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    } else if (code === COMMA) {
      keyNext = depth === 1;
    }
  }
  return keys;
}

/** The index of the quote closing the string whose content starts at `from`. */
function closingQuote(text: string, from: number): number {
  let quote = text.indexOf('"', from);
  while (quote >= 0) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return text.length;
}

function decodeKey(text: string, open: number, close: number): string {
  const key = text.slice(open + 1, close);
  return key.includes("\\") ? (JSON.parse(text.slice(open, close + 1)) as string) : key;
}

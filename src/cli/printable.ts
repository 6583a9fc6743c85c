import { cutWithLength } from "../validate/unicode.js";

/** Supplier text longer than this is cut on the terminal, with its length. */
export const MAX_SHOWN_CHARS = 100;

/**
 * What a terminal would act on rather than show: control characters (C0 with ESC, CR and LF; DEL;
 * C1), line and paragraph separators, bidirectional overrides, and lone surrogates.
 */
const UNPRINTABLE =
  /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/gu;
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * Makes text that came from a delivery (a key name, a value, a parser's message) safe to print in
 * one terminal line: what a terminal would act on is shown as an escape (`\x1b`, `\n`, `\u202e`),
 * and text over `maxChars` characters is cut, saying how long it was. Give `Infinity` to escape
 * without cutting (a file path the user typed is shown whole).
 *
 * @example
 * printable("a\x1b[2Jb"); // "a\\x1b[2Jb"
 * printable("k".repeat(5_000_000)); // "kkk…k…(5000000 characters)", 100 k's
 */
export function printable(text: string, maxChars = MAX_SHOWN_CHARS): string {
  return escape(cutWithLength(text, maxChars));
}

function escape(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    const named = NAMED[char];
    if (named !== undefined) return named;
    const code = char.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

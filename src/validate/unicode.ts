/** Matches a UTF-16 surrogate that is not half of a pair (the `u` flag reads pairs as one). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const LONE_SURROGATES = /[\uD800-\uDFFF]/gu;

/**
 * The first lone surrogate in a string, or undefined when the string is well-formed Unicode. A
 * lone surrogate has no UTF-8 form: SQLite would store bytes other tools cannot read.
 *
 * @example
 * firstLoneSurrogate("a\ud800b"); // "\ud800"
 * firstLoneSurrogate("😀"); // undefined
 */
export function firstLoneSurrogate(text: string): string | undefined {
  if ((text as WellFormedCheck).isWellFormed()) return undefined;
  return LONE_SURROGATE.exec(text)?.[0];
}

/** `String.prototype.isWellFormed` (ES2024, in Node.js 20): a native scan for lone surrogates. */
type WellFormedCheck = string & { isWellFormed(): boolean };

/**
 * The string with each lone surrogate written as its JSON escape, so it can be stored as UTF-8.
 *
 * @example
 * escapeLoneSurrogates("a\ud800b"); // "a\\ud800b"
 */
export function escapeLoneSurrogates(text: string): string {
  return text.replace(LONE_SURROGATES, (unit) => `\\u${unit.charCodeAt(0).toString(16)}`);
}

/**
 * At most the first `maxChars` UTF-16 units of a string, one fewer rather than half of a
 * surrogate pair, so a cut never makes text that is not valid Unicode.
 *
 * @example
 * cutText("abcdef", 3); // "abc"
 * cutText("ab😀", 3); // "ab"
 */
export function cutText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const last = text.charCodeAt(maxChars - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? maxChars - 1 : maxChars);
}

const CUT_MARK = /…\((\d+) characters\)$/;

/**
 * The text cut to `maxChars` (see {@link cutText}) and marked with its length, as stackhouse
 * shows and records text too long to keep whole. Text cut before keeps its first length.
 *
 * @example
 * cutWithLength("k".repeat(5_000_000), 3); // "kkk…(5000000 characters)"
 * cutWithLength("kkkkk…(5000000 characters)", 3); // "kkk…(5000000 characters)"
 */
export function cutWithLength(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const length = CUT_MARK.exec(text.slice(-40))?.[1] ?? String(text.length);
  return `${cutText(text, maxChars)}…(${length} characters)`;
}

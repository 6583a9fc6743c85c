const LESS_THAN_BANG = 0x21;
const DASH = 0x2d;
const QUESTION_MARK = 0x3f;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const GREATER_THAN = 0x3e;
const UNKNOWN = -2;

/**
 * Finds where each markup of one buffer ends: the `>` that closes the markup starting at a `<`,
 * or -1 when it is not in the buffer yet. Comments and processing instructions end at `-->` and
 * `?>`; a tag ends at the first `>` outside a quoted attribute value. The next `'` is remembered
 * across tags: most files have none, and looking for it again at every row would scan the rest of
 * the buffer each time. Make one per buffer.
 *
 * @example
 * const ends = new MarkupEnds(buf);
 * ends.after(0); // index of the `>` closing the tag at buf[0]
 */
export class MarkupEnds {
  private readonly buf: Buffer;
  /** Where the next `'` is (-1: none in the rest of the buffer). */
  private nextApostrophe = UNKNOWN;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  /** The index of the `>` closing the markup at `start`, or -1 when the buffer ends first. */
  after(start: number): number {
    const buf = this.buf;
    if (buf[start + 1] === LESS_THAN_BANG && buf[start + 2] === DASH && buf[start + 3] === DASH) {
      const close = buf.indexOf("-->", start + 4);
      return close < 0 ? -1 : close + 2;
    }
    if (buf[start + 1] === QUESTION_MARK) {
      const close = buf.indexOf("?>", start + 2);
      return close < 0 ? -1 : close + 1;
    }
    let pos = start + 1;
    let greater = UNKNOWN;
    let quote = UNKNOWN;
    for (;;) {
      if (greater < pos) greater = buf.indexOf(GREATER_THAN, pos);
      if (greater < 0) return -1;
      if (quote !== -1 && quote < pos) quote = buf.indexOf(QUOTE, pos);
      if (this.nextApostrophe !== -1 && this.nextApostrophe < pos) {
        this.nextApostrophe = buf.indexOf(APOSTROPHE, pos);
      }
      const apostrophe = this.nextApostrophe;
      const open = quote < 0 ? apostrophe : apostrophe < 0 ? quote : Math.min(quote, apostrophe);
      if (open < 0 || open > greater) return greater;
      const close = buf.indexOf(buf[open] as number, open + 1);
      if (close < 0) return -1;
      pos = close + 1;
    }
  }
}

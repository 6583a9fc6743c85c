import { type Rng, WeightedTable } from "./prng.js";
import {
  CODE_LINES,
  DISPLAY_NAMES,
  INLINE_CODE,
  LINKS,
  NON_ASCII,
  TAGS,
  TECH_WORDS,
  WORDS,
} from "./vocabulary.js";

/** What a body is written for: its length and style differ. */
export type BodyKind = "question" | "answer" | "excerpt" | "wiki";

const TAG_COUNTS = new WeightedTable([
  [1, 20],
  [2, 30],
  [3, 28],
  [4, 14],
  [5, 8],
]);

function word(rng: Rng): string {
  if (rng.chance(0.06)) {
    return rng.pick(NON_ASCII);
  }
  return rng.chance(0.3) ? rng.pick(TECH_WORDS) : rng.pick(WORDS);
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function sentence(rng: Rng, allowCode: boolean): string {
  const words: string[] = [];
  const length = rng.int(4, 16);
  for (let i = 0; i < length; i++) {
    const u = rng.next();
    if (allowCode && u < 0.04) {
      words.push(`<code>${rng.pick(INLINE_CODE)}</code>`);
    } else if (u > 0.99) {
      words.push(rng.pick(LINKS));
    } else if (u > 0.97) {
      words.push(`<strong>${word(rng)}</strong>`);
    } else if (u > 0.95) {
      words.push(`"${word(rng)}"`);
    } else {
      words.push(word(rng));
    }
  }
  return capitalised(words.join(" ")) + (rng.chance(0.2) ? "?" : ".");
}

function paragraph(rng: Rng, allowCode: boolean): string {
  const sentences: string[] = [];
  const count = rng.int(1, 4);
  for (let i = 0; i < count; i++) {
    sentences.push(sentence(rng, allowCode));
  }
  return `<p>${sentences.join(" ")}</p>`;
}

function codeBlock(rng: Rng): string {
  const lines: string[] = [];
  const count = Math.min(60, 1 + Math.floor(rng.exponential(7)));
  for (let i = 0; i < count; i++) {
    lines.push(rng.pick(CODE_LINES));
  }
  return `<pre><code>${lines.join("\n")}\n</code></pre>`;
}

function list(rng: Rng): string {
  const items: string[] = [];
  const count = rng.int(2, 4);
  for (let i = 0; i < count; i++) {
    items.push(`<li>${sentence(rng, true)}</li>`);
  }
  return `<ul>\n${items.join("\n")}\n</ul>`;
}

function quote(rng: Rng): string {
  return `<blockquote>\n  ${paragraph(rng, true)}\n</blockquote>`;
}

/**
 * Body lengths in characters, log-normal as in the real dump: a median near 1 KB, a mean near
 * 1.5 KB, and a tail of long posts (logs, configuration files) cut at {@link LONGEST_BODY}.
 */
const BODY_MEDIAN: Readonly<Record<Exclude<BodyKind, "excerpt">, number>> = {
  question: 1_050,
  answer: 850,
  wiki: 600,
};
const BODY_SIGMA = 0.85;
const LONGEST_BODY = 40_000;

/**
 * An HTML post body as the supplier delivers it: paragraphs, code blocks (tab-indented lines,
 * quotes, backslashes, HTML entities), lists, quotes and links separated by blank lines, ending
 * in a newline. Lengths follow the real dump's (a mean near 1.5 KB, a long tail), and bodies
 * contain non-ASCII text and many characters that JSON must escape.
 *
 * @example
 * postBody(new Rng(7), "answer"); // "<p>Try the <code>--force</code> option.</p>\n"
 */
export function postBody(rng: Rng, kind: BodyKind): string {
  if (kind === "excerpt") {
    return sentence(rng, false);
  }
  const allowCode = kind !== "wiki";
  const target = Math.min(LONGEST_BODY, rng.logNormal(BODY_MEDIAN[kind], BODY_SIGMA));
  const blocks: string[] = [];
  let length = 0;
  while (length < target) {
    const u = rng.next();
    const block =
      allowCode && blocks.length > 0 && u < 0.3
        ? codeBlock(rng)
        : u < 0.36
          ? list(rng)
          : u < 0.4
            ? quote(rng)
            : paragraph(rng, allowCode);
    blocks.push(block);
    length += block.length + 2;
  }
  return `${blocks.join("\n\n")}\n`;
}

/**
 * A question title: a short sentence, sometimes with quotes or non-ASCII characters.
 *
 * @example
 * postTitle(new Rng(7)); // "How to restart a pod without downtime?"
 */
export function postTitle(rng: Rng): string {
  const words: string[] = [];
  const length = rng.int(4, 12);
  for (let i = 0; i < length; i++) {
    words.push(rng.chance(0.03) ? `"${word(rng)}"` : word(rng));
  }
  return capitalised(words.join(" ")) + (rng.chance(0.6) ? "?" : "");
}

/**
 * One to five distinct tags in the supplier's form, popular tags more likely.
 *
 * @example
 * postTags(new Rng(7)); // "<docker><kubernetes>"
 */
export function postTags(rng: Rng): string {
  const chosen = new Set<string>();
  const count = TAG_COUNTS.pick(rng.next());
  while (chosen.size < count) {
    chosen.add(TAGS[Math.floor(rng.next() ** 2 * TAGS.length)] ?? "docker");
  }
  return [...chosen].map((tag) => `<${tag}>`).join("");
}

/**
 * A display name for a user without an account id: a name or the "user1234" form.
 *
 * @example
 * displayName(new Rng(7)); // "user4821"
 */
export function displayName(rng: Rng): string {
  return rng.chance(0.5) ? `user${rng.int(100, 99_999)}` : rng.pick(DISPLAY_NAMES);
}

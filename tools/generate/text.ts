import { type Rng, WeightedTable } from "./prng.js";
import {
  CODE_LINES,
  DISPLAY_NAMES,
  INLINE_CODE,
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
    if (allowCode && rng.chance(0.04)) {
      words.push(`<code>${rng.pick(INLINE_CODE)}</code>`);
    } else if (rng.chance(0.02)) {
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
  const count = rng.int(1, 8);
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

/**
 * An HTML post body as the supplier delivers it: paragraphs, code blocks and lists separated by
 * blank lines, ending in a newline. Lengths run from a few tens of bytes to a few kilobytes, and
 * bodies contain non-ASCII text and characters that JSON must escape.
 *
 * @example
 * postBody(new Rng(7), "answer"); // "<p>Try the <code>--force</code> option.</p>\n"
 */
export function postBody(rng: Rng, kind: BodyKind): string {
  if (kind === "excerpt") {
    return sentence(rng, false);
  }
  const allowCode = kind !== "wiki";
  const blocks: string[] = [];
  const meanBlocks = kind === "question" ? 2.5 : 1.5;
  const count = Math.min(12, 1 + Math.floor(rng.exponential(meanBlocks)));
  for (let i = 0; i < count; i++) {
    if (allowCode && i > 0 && rng.chance(0.3)) {
      blocks.push(codeBlock(rng));
    } else if (rng.chance(0.07)) {
      blocks.push(list(rng));
    } else {
      blocks.push(paragraph(rng, allowCode));
    }
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

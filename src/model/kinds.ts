import type { Field } from "./field.js";
import { POST_FIELDS } from "./posts.js";
import { VOTE_FIELDS } from "./votes.js";

/** The two kinds of delivery file. */
export type DeliveryKind = "posts" | "votes";

/** Both kinds, posts first (the order a delivery is loaded in). */
export const DELIVERY_KINDS: readonly DeliveryKind[] = ["posts", "votes"];

/** What distinguishes each kind of delivery, and where its records land. */
export interface KindSpec {
  readonly kind: DeliveryKind;
  readonly fields: readonly Field[];
  /** A key every record of this kind has and the other kind lacks. */
  readonly signatureKey: string;
  /** Every spelling of every key the pipeline knows; anything else is schema drift. */
  readonly knownKeys: ReadonlySet<string>;
  /** The field each spelling names (an alias names the same field as its key). */
  readonly fieldByKey: ReadonlyMap<string, Field>;
}

function keysOf(fields: readonly Field[]): ReadonlySet<string> {
  return new Set(fieldsByKey(fields).keys());
}

function fieldsByKey(fields: readonly Field[]): ReadonlyMap<string, Field> {
  return new Map(
    fields.flatMap((field) => [field.key, ...(field.aliases ?? [])].map((key) => [key, field])),
  );
}

export const KINDS: Readonly<Record<DeliveryKind, KindSpec>> = {
  posts: {
    kind: "posts",
    fields: POST_FIELDS,
    signatureKey: "PostTypeId",
    knownKeys: keysOf(POST_FIELDS),
    fieldByKey: fieldsByKey(POST_FIELDS),
  },
  votes: {
    kind: "votes",
    fields: VOTE_FIELDS,
    signatureKey: "VoteTypeId",
    knownKeys: keysOf(VOTE_FIELDS),
    fieldByKey: fieldsByKey(VOTE_FIELDS),
  },
};

/**
 * Where a column's value sits in a row of a kind (rows are in field order).
 *
 * @example
 * row[columnIndex("posts", "tags")]; // the post's tags
 */
export function columnIndex(kind: DeliveryKind, column: string): number {
  const index = KINDS[kind].fields.findIndex((field) => field.column === column);
  if (index < 0) throw new Error(`${kind} have no column ${column}`);
  return index;
}

/** Vote type names, as Stack Exchange publishes them. */
export const VOTE_TYPES: readonly (readonly [number, string])[] = [
  [1, "AcceptedByOriginator"],
  [2, "UpMod"],
  [3, "DownMod"],
  [4, "Offensive"],
  [5, "Favorite"],
  [6, "Close"],
  [7, "Reopen"],
  [8, "BountyStart"],
  [9, "BountyClose"],
  [10, "Deletion"],
  [11, "Undeletion"],
  [12, "Spam"],
  [15, "ModeratorReview"],
  [16, "ApproveEditSuggestion"],
];

/** Post type names, as Stack Exchange publishes them. */
export const POST_TYPES: readonly (readonly [number, string])[] = [
  [1, "Question"],
  [2, "Answer"],
  [3, "OrphanedTagWiki"],
  [4, "TagWikiExcerpt"],
  [5, "TagWiki"],
  [6, "ModeratorNomination"],
  [7, "WikiPlaceholder"],
  [8, "PrivilegeWiki"],
];

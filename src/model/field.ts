/**
 * How a delivered value is checked and stored:
 * - `id`: a positive integer (record and type ids);
 * - `integer`: any 64-bit signed integer (scores, user ids: the Community user is -1);
 * - `count`: a non-negative integer;
 * - `timestamp`: `YYYY-MM-DDTHH:MM:SS.fff`, a real UTC calendar time, stored as delivered;
 * - `text`: a string, stored as delivered (an empty string stays empty, it is not NULL).
 */
export type FieldType = "id" | "integer" | "count" | "timestamp" | "text";

/** One delivered key and the warehouse column it lands in. */
export interface Field {
  /** The key as the supplier spells it. */
  readonly key: string;
  /** Other spellings the supplier has used for the same key. */
  readonly aliases?: readonly string[];
  /** The warehouse column (snake_case). */
  readonly column: string;
  readonly type: FieldType;
  /** A record without this key (or with null) is rejected. */
  readonly required: boolean;
  /** Longest accepted text, in characters. */
  readonly maxLength?: number;
  /** A text that must be a list of tags, `<a><b>` or `|a|b|` (or empty). */
  readonly shape?: "tags";
  /** What the column means, for the data dictionary. */
  readonly description: string;
}

/** A validated value ready to bind: integers beyond 2^53 stay exact as bigint. */
export type FieldValue = string | number | bigint | null;

/** A validated record: one value per field, in field order. */
export type Row = readonly FieldValue[];

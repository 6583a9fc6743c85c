import type { RawRecord, ScannedRecord } from "../extract/scanned-record.js";
import type { FieldValue, Row } from "../model/field.js";
import type { KindSpec } from "../model/kinds.js";
import { parseValue, Refusal, timeWindow, type TimeWindow } from "./parse-value.js";
import { repeatedFieldReason, topLevelKeys } from "./record-keys.js";
import { cutWithLength, escapeLoneSurrogates } from "./unicode.js";

/** Unknown keys longer than this are recorded cut, with their length. */
export const MAX_RECORDED_KEY_CHARS = 1_000;

/** A record that failed validation, with the first reason found. */
export interface Rejection {
  readonly record: RawRecord;
  readonly reason: string;
}

/** What validating some records produced: rows in field order, and the records refused. */
export interface Validated {
  readonly rows: readonly Row[];
  readonly rejections: readonly Rejection[];
}

/**
 * Validates records of one kind into rows in field order, quarantining the ones that fail, and
 * counts keys the pipeline does not know (schema drift) into `unknownKeys`, as
 * {@link recordedKey} records them. Records the fast path already decoded pass through as they
 * are. Timestamps must fall in `window`; pass the run's, so the fast path (given the same window
 * through `flatPlan`) and this path decide alike and a replay decides as the original run did.
 *
 * @example
 * const window = timeWindow(runStartedAt);
 * const { rows, rejections } = validateBatch(KINDS.votes, batch, new Map(), window);
 */
export function validateBatch(
  spec: KindSpec,
  records: readonly ScannedRecord[],
  unknownKeys: Map<string, number>,
  window: TimeWindow = timeWindow(),
): Validated {
  const rows: Row[] = [];
  const rejections: Rejection[] = [];
  for (const record of records) {
    if ("row" in record) {
      rows.push(record.row);
      continue;
    }
    for (const key of Object.keys(record.value)) {
      if (spec.knownKeys.has(key)) continue;
      const recorded = recordedKey(key);
      unknownKeys.set(recorded, (unknownKeys.get(recorded) ?? 0) + 1);
    }
    const result = record.invalidUtf8
      ? "the record is not valid UTF-8"
      : (repeatedFieldReason(spec, record.keys ?? topLevelKeys(record.text)) ??
        validateRecord(spec, record.value, window));
    if (typeof result === "string") rejections.push({ record, reason: result });
    else rows.push(result);
  }
  return { rows, rejections };
}

/**
 * An unknown key as `load_unknown_keys` records it: lone surrogates written as escapes (so it is
 * valid UTF-8), and a key over {@link MAX_RECORDED_KEY_CHARS} characters cut, with its length.
 *
 * @example
 * recordedKey("Weight"); // "Weight"
 * recordedKey("k".repeat(5_000_000)); // "kkk…k…(5000000 characters)", 1,000 k's
 */
export function recordedKey(key: string): string {
  return cutWithLength(escapeLoneSurrogates(key), MAX_RECORDED_KEY_CHARS);
}

/** The row for a record, or the reason it is refused; timestamps must fall in `window`. */
export function validateRecord(
  spec: KindSpec,
  value: Readonly<Record<string, unknown>>,
  window: TimeWindow = timeWindow(),
): Row | string {
  const row: FieldValue[] = [];
  for (const field of spec.fields) {
    let raw = value[field.key];
    if (raw === undefined && field.aliases !== undefined) {
      for (const alias of field.aliases) raw ??= value[alias];
    }
    if (raw === undefined || raw === null) {
      if (field.required) return `${field.key}: required but missing`;
      row.push(null);
      continue;
    }
    const parsed = parseValue(field, raw, window);
    if (parsed instanceof Refusal) return parsed.reason;
    row.push(parsed);
  }
  return row;
}

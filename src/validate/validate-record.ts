import type { RawRecord, ScannedRecord } from "../extract/record-scanner.js";
import type { FieldValue, Row } from "../model/field.js";
import type { KindSpec } from "../model/kinds.js";
import { parseValue, Refusal } from "./parse-value.js";

/** A record that failed validation, with the first reason found. */
export interface Rejection {
  readonly record: RawRecord;
  readonly reason: string;
}

/** What validating one batch produced. */
export interface ValidatedBatch {
  readonly rows: readonly Row[];
  readonly rejections: readonly Rejection[];
}

/**
 * Validates records of one kind into rows in field order, quarantining the ones that fail, and
 * counts keys the pipeline does not know (schema drift) into `unknownKeys`. Records the fast path
 * already decoded pass through as they are.
 *
 * @example
 * const { rows, rejections } = validateBatch(KINDS.votes, batch, new Map());
 */
export function validateBatch(
  spec: KindSpec,
  records: readonly ScannedRecord[],
  unknownKeys: Map<string, number>,
): ValidatedBatch {
  const rows: Row[] = [];
  const rejections: Rejection[] = [];
  for (const record of records) {
    if ("row" in record) {
      rows.push(record.row);
      continue;
    }
    for (const key of Object.keys(record.value)) {
      if (!spec.knownKeys.has(key)) unknownKeys.set(key, (unknownKeys.get(key) ?? 0) + 1);
    }
    const result = record.invalidUtf8
      ? "the record is not valid UTF-8"
      : validateRecord(spec, record.value);
    if (typeof result === "string") rejections.push({ record, reason: result });
    else rows.push(result);
  }
  return { rows, rejections };
}

/** The row for a record, or the reason it is refused. */
export function validateRecord(
  spec: KindSpec,
  value: Readonly<Record<string, unknown>>,
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
    const parsed = parseValue(field, raw);
    if (parsed instanceof Refusal) return parsed.reason;
    row.push(parsed);
  }
  return row;
}

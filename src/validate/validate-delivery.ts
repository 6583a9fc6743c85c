import { decodeFlatRecord, flatPlan } from "../extract/flat-record.js";
import {
  deliveryName,
  inputError,
  readDelivery,
  type DeliveryDigest,
  type DeliveryFile,
} from "../extract/read-delivery.js";
import type { ScannedRecord } from "../extract/scanned-record.js";
import { KINDS, type DeliveryKind, type KindSpec } from "../model/kinds.js";
import { timeWindow } from "./parse-value.js";
import { validateBatch, type Validated } from "./validate-record.js";

/** One batch of a delivery, validated. */
export interface ValidatedBatch extends Validated {
  /** Records in the batch: rows plus rejections. */
  readonly read: number;
  /** File bytes read so far, for progress display. */
  readonly bytesRead: number;
  /** Text bytes (decompressed) scanned so far: how far reading has run ahead of this batch's use. */
  readonly textRead: number;
}

/** A delivery being read and validated; `digest()` and `unknownKeys()` answer once it is read. */
export interface DeliveryValidation {
  readonly batches: AsyncIterable<ValidatedBatch>;
  digest(): DeliveryDigest;
  /** Keys the pipeline does not know (schema drift), with the number of records that had each. */
  unknownKeys(): ReadonlyMap<string, number>;
}

/** How to read a delivery: see {@link readDelivery}. */
export interface ValidationOptions {
  readonly hashDecoded?: boolean;
  readonly batchSize?: number;
  /** The time of the run (epoch ms): nothing may be dated later. Default: when validation starts. */
  readonly now?: number;
}

/**
 * Extracts and validates one delivery file of a known kind, batch by batch: the supplier's flat
 * records take the fast path (`decodeFlatRecord`), anything else the exact one. A file of the
 * other kind is refused at its first record.
 *
 * @example
 * const validation = validateDelivery(file, "votes");
 * for await (const { rows, rejections } of validation.batches) merge(rows);
 * const { sha256 } = validation.digest();
 */
export function validateDelivery(
  file: DeliveryFile,
  kind: DeliveryKind,
  options: ValidationOptions = {},
): DeliveryValidation {
  const spec = KINDS[kind];
  const window = timeWindow(options.now);
  const plan = flatPlan(spec, window);
  let bytesRead = 0;
  let textRead = 0;
  const reading = readDelivery(file, {
    ...options,
    kind,
    decode: (buf, start, end) => decodeFlatRecord(plan, buf, start, end),
    onBytes: (bytes) => (bytesRead = bytes),
    onText: (bytes) => (textRead = bytes),
  });
  const unknownKeys = new Map<string, number>();

  async function* batches(): AsyncGenerator<ValidatedBatch> {
    let first = true;
    for await (const batch of reading.batches) {
      if (first) checkKind(spec, deliveryName(file), batch[0]);
      first = false;
      const { rows, rejections } = validateBatch(spec, batch, unknownKeys, window);
      yield { rows, rejections, read: batch.length, bytesRead, textRead };
    }
  }

  return { batches: batches(), digest: () => reading.digest(), unknownKeys: () => unknownKeys };
}

/** Refuses a votes file given as posts and the reverse, judged by the first record's keys. */
function checkKind(spec: KindSpec, path: string, first: ScannedRecord | undefined): void {
  if (first === undefined || "row" in first || spec.signatureKey in first.value) return;
  const other = Object.values(KINDS).find((candidate) => candidate.signatureKey in first.value);
  if (other !== undefined) {
    throw inputError(
      path,
      `line ${first.line}: this looks like a ${other.kind} file (record 1 has ${other.signatureKey}, not ${spec.signatureKey}), but a ${spec.kind} file was expected here`,
    );
  }
}

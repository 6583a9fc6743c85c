import { StackhouseError, type ErrorCode } from "../errors.js";
import { deliveryName, type DeliveryDigest, type DeliveryFile } from "../extract/read-delivery.js";
import type { Row } from "../model/field.js";
import { KINDS, type DeliveryKind } from "../model/kinds.js";
import type { RawRecord } from "../extract/scanned-record.js";
import { readId } from "./read-id.js";
import { setImmediate as nextTurn, setTimeout as delay } from "node:timers/promises";
import { startWorker } from "../run-from-source.js";
import type { ValidatedBatch, ValidationOptions } from "./validate-delivery.js";

/**
 * A batch as it crosses from the worker: rows of plain values, and each rejected record as its
 * text and position, never its parsed value, so no record (however deeply nested) can fail to
 * cross and take its batch with it.
 */
export interface TransferredBatch extends Omit<ValidatedBatch, "rejections"> {
  readonly rejections: readonly {
    readonly record: Pick<RawRecord, "number" | "line" | "text"> & {
      /** The `Id` it names, if a valid one (see `readId`): a snapshot does not delete it. */
      readonly id: bigint | undefined;
    };
    readonly reason: string;
  }[];
}

/** A delivery being validated on the worker; `digest()` and `unknownKeys()` answer once it is read. */
export interface WorkerValidation {
  readonly batches: AsyncIterable<TransferredBatch>;
  digest(): DeliveryDigest;
  unknownKeys(): ReadonlyMap<string, number>;
}

/**
 * A batch as posted: its rows either as they are (structured clone), or, for a batch of numbers,
 * short strings and nulls only, as one JSON text (`packedRows`), which crosses about twice as
 * fast; long text (post bodies) crosses faster as it is.
 */
type PostedBatch = TransferredBatch & { readonly packedRows?: string };

/** How long a worker asked to stop may take before it is terminated. */
const STOP_GRACE_MS = 2_000;

/**
 * The worker's young generation, by kind. Votes are many small records, each leaving short-lived
 * objects behind (the dump's XML above all: a map of attributes per row); in a young generation
 * of 64 MiB they die young instead of being promoted and collected again: the M votes dump loaded
 * in 3.6 s instead of 4.1–4.9, peaking at 210–216 MiB instead of 237–244 (48 MiB did not help).
 * JSON votes load no faster and peak about 20 MiB higher (the L incremental delivery at 240 MiB).
 * Posts carry long bodies, which a larger young generation only holds longer (the M posts peaked
 * at 228–265 MiB, not 196): they keep V8's default.
 */
const YOUNG_GENERATION_MB: Readonly<Record<DeliveryKind, number | undefined>> = {
  posts: undefined,
  votes: 64,
};

/** Kinds with a text field, whose rows cross faster as they are (see {@link PostedBatch}). */
const HAS_TEXT: Readonly<Record<DeliveryKind, boolean>> = {
  posts: KINDS.posts.fields.some((field) => field.type === "text"),
  votes: KINDS.votes.fields.some((field) => field.type === "text"),
};

/** What the validation worker posts to the main thread. */
export type WorkerMessage =
  | { readonly type: "batch"; readonly batch: PostedBatch }
  | {
      readonly type: "done";
      readonly digest: DeliveryDigest;
      readonly unknownKeys: readonly (readonly [string, number])[];
    }
  | {
      readonly type: "error";
      readonly code: ErrorCode | undefined;
      readonly message: string;
      readonly stack: string | undefined;
    };

/**
 * The same as `validateDelivery`, with the reading, decoding and validating done on a worker
 * thread, so that a load uses two cores: one extracts and validates while the other merges.
 *
 * @example
 * const validation = validateInWorker(file, "votes");
 * for await (const { rows } of validation.batches) merger.merge("votes", rows, loadId, counts);
 */
export function validateInWorker(
  file: DeliveryFile,
  kind: DeliveryKind,
  options: ValidationOptions = {},
): WorkerValidation {
  let finished: Extract<WorkerMessage, { type: "done" }> | undefined;

  async function* batches(): AsyncGenerator<TransferredBatch> {
    const youngMb = YOUNG_GENERATION_MB[kind];
    const worker = startWorker(import.meta.url, "validation-worker", {
      workerData: { file, kind, options },
      ...(youngMb === undefined ? {} : { resourceLimits: { maxYoungGenerationSizeMb: youngMb } }),
    });
    const queue: WorkerMessage[] = [];
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    worker.on("message", (message: WorkerMessage) => {
      queue.push(message);
      wake?.();
    });
    worker.on("messageerror", (error) => {
      failure = error;
      wake?.();
    });
    worker.on("error", (error) => {
      failure = error;
      wake?.();
    });
    const life = { running: true };
    const exited = new Promise<void>((resolve) =>
      worker.on("exit", () => {
        life.running = false;
        failure ??= new Error("the validation worker stopped before it finished");
        wake?.();
        resolve();
      }),
    );
    let batched = 0;
    try {
      for (;;) {
        const message = queue.shift();
        if (message === undefined) {
          if (failure !== undefined) throw failure;
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        if (message.type === "error") throw workerError(message);
        if (message.type === "done") {
          if (message.digest.records !== batched) {
            throw countsError(
              deliveryName(file),
              `the reader completed ${message.digest.records} records but ${batched} reached validation`,
            );
          }
          finished = message;
          return;
        }
        const { packedRows, ...posted } = message.batch;
        const batch: TransferredBatch =
          packedRows === undefined ? posted : { ...posted, rows: JSON.parse(packedRows) as Row[] };
        if (batch.read !== batch.rows.length + batch.rejections.length) {
          throw countsError(
            deliveryName(file),
            `a batch of ${batch.read} records came back with ${batch.rows.length} rows and ${batch.rejections.length} rejections`,
          );
        }
        batched += batch.read;
        // One turn of the event loop per batch: the landing archive's copy, which runs beside the
        // load, is driven by I/O callbacks that batches already queued would otherwise hold back.
        await nextTurn();
        yield batch;
        worker.postMessage("next");
      }
    } finally {
      if (life.running) {
        // Asked to stop first, the worker ends its reading, so 7-Zip does not outlive it.
        worker.postMessage("stop");
        await Promise.race([exited, delay(STOP_GRACE_MS, undefined, { ref: false })]);
      }
      await worker.terminate();
    }
  }

  return {
    batches: batches(),
    digest() {
      if (finished === undefined) throw new Error("digest() called before the delivery was read");
      return finished.digest;
    },
    unknownKeys: () => new Map(finished?.unknownKeys ?? []),
  };
}

/**
 * The batch as it is posted: the rejected records' parsed values stay behind, and rows of a kind
 * without text fields go as JSON unless they hold a bigint (which JSON cannot carry).
 */
export function toTransfer(batch: ValidatedBatch, kind: DeliveryKind): PostedBatch {
  const rejections = batch.rejections.map(({ record, reason }) => ({
    record: {
      number: record.number,
      line: record.line,
      text: record.text,
      id: readId(record.value),
    },
    reason,
  }));
  const packable =
    !HAS_TEXT[kind] && batch.rows.every((row) => row.every((value) => typeof value !== "bigint"));
  return packable
    ? { ...batch, rejections, rows: [], packedRows: JSON.stringify(batch.rows) }
    : { ...batch, rejections };
}

/**
 * The error for counts that do not add up between stages: the run is refused rather than
 * committed with records missing.
 */
export function countsError(path: string, detail: string): StackhouseError {
  return new StackhouseError(
    "ACCOUNTING",
    `${path}: the counts do not add up: ${detail}; nothing was loaded`,
  );
}

function workerError(message: Extract<WorkerMessage, { type: "error" }>): Error {
  const error =
    message.code === undefined
      ? new Error(message.message)
      : new StackhouseError(message.code, message.message);
  if (message.stack !== undefined && message.code === undefined) error.stack = message.stack;
  return error;
}

import { Worker } from "node:worker_threads";
import { StackhouseError, type ErrorCode } from "../errors.js";
import type { DeliveryDigest, DeliveryFile } from "../extract/read-delivery.js";
import type { DeliveryKind } from "../model/kinds.js";
import type { DeliveryValidation, ValidatedBatch, ValidationOptions } from "./validate-delivery.js";

/** What the validation worker posts to the main thread. */
export type WorkerMessage =
  | { readonly type: "batch"; readonly batch: ValidatedBatch }
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
): DeliveryValidation {
  let finished: Extract<WorkerMessage, { type: "done" }> | undefined;

  async function* batches(): AsyncGenerator<ValidatedBatch> {
    const worker = new Worker(workerUrl(), { workerData: { file, kind, options } });
    const queue: WorkerMessage[] = [];
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    worker.on("message", (message: WorkerMessage) => {
      queue.push(message);
      wake?.();
    });
    worker.on("error", (error) => {
      failure = error;
      wake?.();
    });
    worker.on("exit", () => {
      failure ??= new Error("the validation worker stopped before it finished");
      wake?.();
    });
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
          finished = message;
          return;
        }
        yield message.batch;
        worker.postMessage("next");
      }
    } finally {
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

function workerError(message: Extract<WorkerMessage, { type: "error" }>): Error {
  const error =
    message.code === undefined
      ? new Error(message.message)
      : new StackhouseError(message.code, message.message);
  if (message.stack !== undefined && message.code === undefined) error.stack = message.stack;
  return error;
}

/**
 * The worker's script: beside this module once built; when running from the TypeScript sources
 * (the tests), the built copy under `dist/`, which `npm test` builds first.
 */
function workerUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith(".js")) return new URL("./validation-worker.js", here);
  return new URL("../../dist/validate/validation-worker.js", here);
}

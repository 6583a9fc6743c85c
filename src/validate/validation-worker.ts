/**
 * The worker thread of {@link validateInWorker}: reads and validates one delivery file and posts
 * its batches to the main thread, which only merges. Reading runs at most two read chunks of text
 * ahead of the merge, so memory stays bounded whatever the file size.
 */
import { parentPort, workerData } from "node:worker_threads";
import { StackhouseError } from "../errors.js";
import { READ_CHUNK_BYTES, type DeliveryFile } from "../extract/read-delivery.js";
import type { DeliveryKind } from "../model/kinds.js";
import { validateDelivery, type ValidationOptions } from "./validate-delivery.js";
import { toTransfer, type WorkerMessage } from "./validate-in-worker.js";

/**
 * How much text the worker may have scanned beyond the last batch the merge finished: two read
 * chunks, so one is decoded while the merge works through the other. Counted in text, not
 * batches: a chunk is decoded at once, into one batch of long posts but about six of votes, and a
 * window of two batches left each thread waiting for the other on votes.
 */
const MAX_TEXT_AHEAD = 2 * READ_CHUNK_BYTES;

interface Task {
  readonly file: DeliveryFile;
  readonly kind: DeliveryKind;
  readonly options: ValidationOptions;
}

const port = parentPort;
if (port === null) throw new Error("validation-worker runs only as a worker thread");

/** The text scanned by each batch posted and not yet finished by the merge, oldest first. */
const posted: number[] = [];
/** Text scanned by the last batch the merge finished. */
let merged = 0;
let wake: (() => void) | undefined;
/** The main thread stopped reading (its load failed): end now, closing the file (or 7-Zip). */
let stopped = false;
port.on("message", (message: "next" | "stop") => {
  if (message === "stop") stopped = true;
  else merged = posted.shift() ?? merged;
  wake?.();
});

function post(message: WorkerMessage): void {
  port?.postMessage(message);
}

async function run({ file, kind, options }: Task): Promise<void> {
  try {
    const validation = validateDelivery(file, kind, options);
    for await (const batch of validation.batches) {
      post({ type: "batch", batch: toTransfer(batch, kind) });
      posted.push(batch.textRead);
      while (batch.textRead - merged >= MAX_TEXT_AHEAD && !stopped) {
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (stopped) break;
    }
    if (!stopped) {
      post({
        type: "done",
        digest: validation.digest(),
        unknownKeys: [...validation.unknownKeys()],
      });
    }
  } catch (error) {
    post({
      type: "error",
      code: error instanceof StackhouseError ? error.code : undefined,
      message: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
  }
  port?.close();
}

await run(workerData as Task);

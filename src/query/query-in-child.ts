import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { onInterrupt } from "../cli/on-interrupt.js";
import { StackhouseError } from "../errors.js";
import { childExecArgv, siblingScript } from "../run-from-source.js";
import type { ChildMessage, ChildRequest } from "./query-child.js";
import type { RowBatch, RowStream } from "./row-stream.js";
import { withinTimeLimit } from "./time-limit.js";

/** One SQLite query to run where it can be stopped. */
export interface ChildQuery {
  readonly db: string;
  readonly sql: string;
  readonly sede: boolean;
  /** Rows wanted (0 for all). */
  readonly limit: number;
  /** Stop the query when no row has come for this many seconds (0: never). */
  readonly timeoutSeconds: number;
  /** Every INTEGER as a bigint, so a REAL is told by being a number (Parquet's column types). */
  readonly exactIntegers?: boolean;
  /** Kills the child when aborted; without one, a stop signal to this process kills it. */
  readonly signal?: AbortSignal | undefined;
}

/** Batches the child may send ahead of the output: one being written, one on its way. */
const CREDITS = 2;

/**
 * Runs a read-only query on a SQLite warehouse in a child process and streams its rows back.
 * Resolves once the column names are known (the statement is valid and reads); the batches follow
 * as the caller takes them. When no row comes for `timeoutSeconds`, the child is killed and the
 * next read fails with a one-line error (exit 7); stopping early kills it too.
 *
 * @example
 * const { columns, batches } = await queryInChild({ db: "w.db", sql, sede: false, limit: 0, timeoutSeconds: 60 });
 * for await (const rows of batches) console.log(rows.length);
 */
export async function queryInChild(query: ChildQuery): Promise<RowStream> {
  const child = fork(fileURLToPath(siblingScript(import.meta.url, "query-child")), [], {
    serialization: "advanced",
    execArgv: childExecArgv(import.meta.url),
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  const channel = new ChildChannel(child, query.timeoutSeconds, query.signal);
  const { signal: _signal, ...asked } = query;
  const request: ChildRequest = {
    type: "run",
    ...asked,
    exactIntegers: asked.exactIntegers === true,
    credits: CREDITS,
  };
  child.send(request, ignoreClosedChannel);
  try {
    const first = await channel.next();
    if (first.type !== "columns") throw new Error(`the query process sent ${first.type} first`);
    return { columns: first.columns, batches: channel.batches() };
  } catch (error) {
    channel.stop();
    throw error;
  }
}

/** The parent's end of the child: its messages in order, each awaited under the time limit. */
class ChildChannel {
  private readonly queue: ChildMessage[] = [];
  private wake: (() => void) | undefined;
  private exited: string | undefined;
  private disconnected = false;
  private stderr = "";
  private readonly killOnExit = (): void => {
    this.child.kill("SIGKILL");
  };
  private readonly stopNow = (): void => {
    this.stop();
  };
  private readonly disarm: () => void;

  /** `signal` stops the child when aborted; without one, a stop signal to this process does. */
  constructor(
    private readonly child: ChildProcess,
    private readonly timeoutSeconds: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.disarm = signal === undefined ? onInterrupt(this.killOnExit) : () => undefined;
    signal?.addEventListener("abort", this.stopNow, { once: true });
    if (signal?.aborted === true) this.stop();
    child.on("message", (message: ChildMessage) => {
      this.queue.push(message);
      this.wake?.();
    });
    // Its last messages may arrive after its exit: it has ended once its channel is closed too.
    child.on("exit", (code, signal) => {
      this.exited = signal === null ? `exit code ${String(code)}` : signal;
      this.wake?.();
    });
    child.on("disconnect", () => {
      this.disconnected = true;
      this.wake?.();
    });
    child.on("error", (error) => {
      this.exited ??= error.message;
      this.disconnected = true;
      this.wake?.();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    process.once("exit", this.killOnExit);
  }

  /** The next message; fails on an error message, a dead child, or no message in time. */
  async next(): Promise<ChildMessage> {
    for (;;) {
      const message = this.queue.shift();
      if (message?.type === "error") throw childError(message);
      if (message !== undefined) return message;
      if (this.exited !== undefined && this.disconnected) {
        const detail = this.stderr.trim().split("\n").pop() ?? "";
        throw new StackhouseError(
          "QUERY_FAILED",
          `the query's process ended unexpectedly (${this.exited})${detail === "" ? "" : `: ${detail}`}`,
        );
      }
      const arrived = new Promise<void>((resolve) => (this.wake = resolve));
      await withinTimeLimit(arrived, this.timeoutSeconds, () => {
        this.stop();
      });
    }
  }

  async *batches(): AsyncGenerator<RowBatch> {
    try {
      for (;;) {
        const message = await this.next();
        if (message.type === "done") return;
        if (message.type !== "rows") continue;
        this.child.send({ type: "more" }, ignoreClosedChannel);
        yield message.rows;
      }
    } finally {
      this.stop();
    }
  }

  /** Kills the child if it still runs: a read-only reader leaves nothing to clean up. */
  stop(): void {
    process.removeListener("exit", this.killOnExit);
    this.signal?.removeEventListener("abort", this.stopNow);
    this.disarm();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

function childError(message: Extract<ChildMessage, { type: "error" }>): Error {
  if (message.code !== undefined) return new StackhouseError(message.code, message.message);
  const error = new Error(message.message);
  if (message.stack !== undefined) error.stack = message.stack;
  return error;
}

/** A child that is gone cannot take messages; its exit is reported by `next()`. */
function ignoreClosedChannel(): void {
  // Nothing to do: see above.
}

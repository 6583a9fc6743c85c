import { StackhouseError } from "../errors.js";

/** Seconds a query may go without producing a row before it is stopped, unless --timeout says. */
export const DEFAULT_TIMEOUT_SECONDS = 60;

/**
 * Waits for the next piece of a query's result, for at most `seconds` (0: for ever). When the
 * time runs out, `stop` ends the query (kills its process, cancels it on the server) and the wait
 * fails with the one-line error every engine gives for a stalled query.
 *
 * @example
 * const next = await withinTimeLimit(rows.next(), 60, () => child.kill("SIGKILL"));
 */
export async function withinTimeLimit<T>(
  work: Promise<T>,
  seconds: number,
  stop: () => void,
): Promise<T> {
  if (seconds <= 0) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      stop();
      reject(queryStopped(seconds));
    }, seconds * 1000);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The error of a query stopped by the time limit.
 *
 * @example
 * queryStopped(60).message; // "query stopped: no row came for 60 s (--timeout 60; ...)"
 */
export function queryStopped(seconds: number): StackhouseError {
  return new StackhouseError(
    "QUERY_FAILED",
    `query stopped: no row came for ${String(seconds)} s (--timeout ${String(seconds)}; raise it, or 0 for no limit)`,
  );
}

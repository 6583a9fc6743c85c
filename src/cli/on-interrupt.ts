/** The signals that end a run from outside: Ctrl-C, `kill`, a closed terminal. */
export const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Runs `cleanup` if the process is stopped by a signal while something is under way (a temporary
 * output file, a query's child process), then lets the signal end the process as it would have.
 * Returns the function that disarms it once the work is over.
 *
 * @example
 * const disarm = onInterrupt(() => rmSync(partial, { force: true }));
 * try { work(); } finally { disarm(); }
 */
export function onInterrupt(cleanup: () => void): () => void {
  const disarm = (): void => {
    for (const signal of SIGNALS) process.removeListener(signal, handler);
  };
  function handler(signal: NodeJS.Signals): void {
    disarm();
    try {
      cleanup();
    } finally {
      process.kill(process.pid, signal);
    }
  }
  for (const signal of SIGNALS) process.on(signal, handler);
  return disarm;
}

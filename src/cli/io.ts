/** Where a command writes: injected, so tests capture output without touching the process. */
export interface CliIo {
  readonly stdout: { write(chunk: string | Uint8Array): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
}

/** The process's own streams. */
export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr };

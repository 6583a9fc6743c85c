const EXIT_CODES = {
  INPUT_FILE: 1, // a delivery file is missing, unreadable, or not valid JSON or XML of the expected kind
  USAGE: 2, // the command line is wrong
  WAREHOUSE: 3, // the warehouse file cannot be opened or is from a newer stackhouse
  ARCHIVE: 4, // the landing archive is damaged or incomplete
  TOO_MANY_REJECTED: 5, // more of a file's records were quarantined than allowed
  CHECK_FAILED: 6, // a data-quality check of error severity found problems
  QUERY_FAILED: 7, // an analyst's query is not valid SQL, fails, or would write
  BUSY: 8, // another run holds the warehouse for longer than this run would wait
  ACCOUNTING: 9, // a file's counts do not add up between stages (read, merged, quarantined)
  TOO_MANY_DELETED: 10, // a full snapshot lacks more of the warehouse's records than allowed
  STALE_SNAPSHOT: 11, // a full snapshot is older than what the warehouse holds of its kind
} as const;

/**
 * Why a run stopped. Each code maps to one process exit code, so scripts can tell a bad delivery
 * from a bad command line or a warehouse problem without parsing messages.
 */
export type ErrorCode = keyof typeof EXIT_CODES;

/**
 * The one error type stackhouse raises on purpose. Its message is written for the user, on one
 * line, and names the file and position when there is one; `cause` keeps the underlying error for
 * debugging.
 *
 * @example
 * throw new StackhouseError("INPUT_FILE", "Votes.json: line 3, column 7: unexpected '}'");
 */
export class StackhouseError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StackhouseError";
    this.code = code;
  }

  /** The process exit code for this error. */
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

/** Exit code of a run that succeeded. */
export const EXIT_OK = 0;

/** Exit code of an unexpected failure (a bug): anything that is not a {@link StackhouseError}. */
export const EXIT_INTERNAL = 70;

/** File-system error codes in words, the same for reading and for writing. */
const FS_ERROR_WORDS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "it is a folder",
  ENOTDIR: "part of its folder is a file",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
};

/**
 * What a file-system error means, in words, for a file being read or written (a missing path is
 * a missing file to read, a missing folder to write into); undefined for a code without words.
 *
 * @example
 * fsErrorWords({ code: "ENOENT" }, "write"); // "its folder does not exist"
 */
export function fsErrorWords(error: unknown, doing: "read" | "write"): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return undefined;
  if (code === "ENOENT") return doing === "read" ? "no such file" : "its folder does not exist";
  return FS_ERROR_WORDS[code];
}

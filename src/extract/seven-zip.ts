import { spawn } from "node:child_process";
import { accessSync, chmodSync, constants } from "node:fs";
import sevenZipBin from "7zip-bin";
import { StackhouseError } from "../errors.js";

/** The first bytes of every 7z archive. */
export const SEVEN_ZIP_MAGIC = Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]);

/** One file inside a 7z archive. */
export interface ArchiveMember {
  readonly name: string;
  /** Its size once extracted. */
  readonly sizeBytes: number;
}

/**
 * The files a 7z archive holds (folders left out), read from its listing.
 *
 * @example
 * await sevenZipMembers("devops.stackexchange.com.7z"); // [{ name: "Badges.xml", sizeBytes: 1693720 }, …]
 */
export async function sevenZipMembers(path: string): Promise<ArchiveMember[]> {
  const listing = await run(["l", "-slt", "-bd", "--", path], path);
  const [, entries = ""] = listing.split(/^-{10,}$/m);
  return entries
    .split(/\n\s*\n/)
    .map((block) => Object.fromEntries(block.split("\n").map(splitProperty)))
    .filter((entry) => entry.Path !== undefined && !/D/.test(entry.Attributes ?? ""))
    .map((entry) => ({ name: entry.Path as string, sizeBytes: Number(entry.Size ?? 0) }));
}

/**
 * Streams one file out of a 7z archive, decompressed (its name taken as it is, not as a pattern). Fails (with a one-line error naming the
 * archive) when 7-Zip reports damage, after the last chunk it wrote.
 *
 * @example
 * for await (const chunk of sevenZipMember("site.7z", "Votes.xml")) scanner.push(chunk);
 */
export async function* sevenZipMember(path: string, member: string): AsyncGenerator<Buffer> {
  const child = spawn(sevenZip(), ["e", "-so", "-bd", "-spd", "--", path, member], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderr: Buffer[] = [];
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  const exit = new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  exit.catch(() => undefined);
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    const code = await exit;
    if (code !== 0) throw failure(`${path}#${member}`, describe(stderr, code, path));
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

/**
 * The error 7-Zip reports testing one file of an archive, or undefined when it finds none: asked
 * when reading a member failed, since damage shows first as garbage in the extracted text.
 *
 * @example
 * const damage = await sevenZipDamage("site.7z", "Votes.xml"); // StackhouseError | undefined
 */
export async function sevenZipDamage(
  path: string,
  member: string,
): Promise<StackhouseError | undefined> {
  try {
    await run(["t", "-bd", "-spd", "--", path, member], `${path}#${member}`, path);
    return undefined;
  } catch (error) {
    return error instanceof StackhouseError ? error : undefined;
  }
}

async function run(args: readonly string[], name: string, path = name): Promise<string> {
  const child = spawn(sevenZip(), args, { stdio: ["ignore", "pipe", "pipe"] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (code !== 0) throw failure(name, describe(stderr, code, path));
  return Buffer.concat(stdout).toString("utf8");
}

/**
 * The 7-Zip program shipped in the `7zip-bin` package, made executable if npm left it not.
 *
 * @example
 * spawn(sevenZip(), ["l", "site.7z"]);
 */
export function sevenZip(): string {
  const binary = sevenZipBin.path7za;
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    try {
      chmodSync(binary, 0o755);
    } catch (error) {
      throw new StackhouseError(
        "INPUT_FILE",
        `${binary}: the 7-Zip program is not executable and cannot be made so (${(error as Error).message})`,
        { cause: error },
      );
    }
  }
  return binary;
}

function splitProperty(line: string): [string, string] {
  const at = line.indexOf(" = ");
  return at < 0 ? [line.trim(), ""] : [line.slice(0, at).trim(), line.slice(at + 3)];
}

/**
 * What 7-Zip said, in one line: its `ERROR:` prefixes, the archive's own path and the lines that
 * held nothing else left out; the same error about several files said once, naming them.
 */
function describe(stderr: readonly Buffer[], code: number | null, path: string): string {
  const byError = new Map<string, string[]>();
  for (const raw of Buffer.concat(stderr).toString("utf8").split("\n")) {
    const line = raw
      .replaceAll(path, "")
      .replace(/^(?:Open )?ERRORS?:\s*/, "")
      .replace(/^[\s:]+|[\s:]+$/g, "");
    if (line === "") continue;
    const [error = line, file] = line.split(/\s+:\s+/);
    byError.set(error, [...(byError.get(error) ?? []), ...(file === undefined ? [] : [file])]);
  }
  const reasons = [...byError].map(([error, files]) =>
    files.length === 0 ? error : `${error} (${files.join(", ")})`,
  );
  return `7-Zip cannot read it: ${reasons.join("; ") || `it stopped with exit code ${String(code)}`}`;
}

function failure(path: string, detail: string): StackhouseError {
  return new StackhouseError("INPUT_FILE", `${path}: ${detail}`);
}

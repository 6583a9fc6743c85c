import { copyFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "../../src/cli.js";
import type { CliIo } from "../../src/cli/io.js";
import { generated } from "./deliveries.js";
import { tempDir } from "./temp-dir.js";

/** The small hand-written delivery in test/fixtures: 4 posts, 9 votes (one on an unknown post). */
export async function fixtureDelivery(dir: string): Promise<{ posts: string; votes: string }> {
  const posts = join(dir, "Posts.json");
  const votes = join(dir, "Votes.json");
  await copyFile(new URL("../fixtures/Posts.json", import.meta.url), posts);
  await copyFile(new URL("../fixtures/Votes.json", import.meta.url), votes);
  return { posts, votes };
}

/** Writes text (or bytes) to a file in `dir` and returns its path. */
export async function fileWith(
  dir: string,
  name: string,
  content: string | Buffer,
): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** What one in-process run of the CLI printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the stackhouse CLI in-process with captured output. */
export async function cli(...argv: string[]): Promise<CliResult> {
  return cliOn({ terminal: false }, ...argv);
}

/** Runs the CLI as `cli` does, with stdout and stderr a terminal or not. */
export async function cliOn(where: { terminal: boolean }, ...argv: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: {
      write: (chunk: string | Uint8Array) =>
        (stdout += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("latin1")),
      isTTY: where.terminal,
    },
    stderr: { write: (text: string) => (stderr += text), isTTY: where.terminal },
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/** A warehouse `w.db` in a new temp folder, loaded with the fixture delivery (its archive beside it). */
export async function fixtureWarehouse(): Promise<{ dir: string; db: string }> {
  return loadedWarehouse("the fixture delivery", fixtureDelivery);
}

/** A warehouse `w.db` in a new temp folder, loaded with the small generated delivery. */
export async function generatedWarehouse(): Promise<{ dir: string; db: string }> {
  return loadedWarehouse("the generated delivery", (dir) => generated(dir));
}

async function loadedWarehouse(
  name: string,
  deliver: (dir: string) => Promise<{ posts: string; votes: string }>,
): Promise<{ dir: string; db: string }> {
  const dir = await tempDir();
  const db = join(dir, "w.db");
  const delivery = await deliver(dir);
  const result = await cli("--db", db, delivery.posts, delivery.votes);
  if (result.code !== 0) throw new Error(`${name} did not load: ${result.stderr}`);
  return { dir, db };
}

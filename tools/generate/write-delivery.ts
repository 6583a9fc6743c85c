import { createWriteStream } from "node:fs";
import { execFile } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { sevenZip } from "../../src/extract/seven-zip.js";
import { dumpXmlLayout, type FlatRecord, supplierLayout } from "./layout.js";
import { postRecords } from "./post-records.js";
import { type GeneratorOptions, planSnapshots } from "./snapshot-plan.js";
import { voteRecords } from "./vote-records.js";

/** Where and how to write a generated delivery. */
export interface DeliveryOptions extends GeneratorOptions {
  /** Folder for Posts.json and Votes.json; created when missing. */
  readonly outDir: string;
  /** Write Posts.json.gz and Votes.json.gz instead (or Posts.xml.gz and Votes.xml.gz). */
  readonly gzip?: boolean;
  /**
   * `json`: the supplier's layout (the default); `xml`: the data dump's Posts.xml and Votes.xml;
   * `7z`: a site's dump archive holding those and a Users.xml.
   */
  readonly format?: DeliveryFormat;
}

/** The layouts the generator writes. */
export type DeliveryFormat = "json" | "xml" | "7z";

/** The name of the site archive the generator writes with `format: "7z"`. */
export const SITE_ARCHIVE = "generated.stackexchange.com.7z";

/** What {@link generateDelivery} wrote. */
export interface DeliveryResult {
  readonly postsPath: string;
  readonly votesPath: string;
  /** Records in the posts file, counting every copy of the duplicated post. */
  readonly postsWritten: number;
  readonly votesWritten: number;
  /** With `format: "7z"`: the archive holding the posts and votes files. */
  readonly archivePath?: string;
}

const CHUNK_CHARS = 1 << 16;
const execFileAsync = promisify(execFile);

function* batched(chunks: Iterable<string>): Generator<string> {
  let buffer = "";
  for (const chunk of chunks) {
    buffer += chunk;
    if (buffer.length >= CHUNK_CHARS) {
      yield buffer;
      buffer = "";
    }
  }
  if (buffer.length > 0) {
    yield buffer;
  }
}

async function writeRecords(
  records: Iterable<FlatRecord>,
  path: string,
  gzip: boolean,
  layout: (records: Iterable<FlatRecord>) => Iterable<string> = supplierLayout,
): Promise<number> {
  let written = 0;
  function* counted(): Generator<FlatRecord> {
    for (const record of records) {
      written++;
      yield record;
    }
  }
  const source = Readable.from(batched(layout(counted())));
  const file = createWriteStream(path);
  await (gzip ? pipeline(source, createGzip(), file) : pipeline(source, file));
  return written;
}

/**
 * Writes one snapshot of a seeded, realistic delivery (`Posts.json` and `Votes.json`, or `.json.gz`)
 * in the supplier's layout, or with `delivery: "increment"` only its changes since the previous
 * snapshot. Records are streamed to disk with backpressure, so memory stays flat however many
 * posts and votes are asked for.
 *
 * @example
 * const result = await generateDelivery({ posts: 1000, votes: 4000, seed: 1, outDir: "/tmp/d1" });
 * const next = await generateDelivery({ posts: 1000, votes: 4000, seed: 1, snapshot: 2, outDir: "/tmp/d2" });
 * const delta = await generateDelivery({
 *   posts: 1000, votes: 4000, seed: 1, snapshot: 3, delivery: "increment", outDir: "/tmp/i3",
 * });
 */
export async function generateDelivery(options: DeliveryOptions): Promise<DeliveryResult> {
  planSnapshots(options);
  const format = options.format ?? "json";
  const gzip = format !== "7z" && options.gzip === true;
  const suffix = `.${format === "json" ? "json" : "xml"}${gzip ? ".gz" : ""}`;
  const postsPath = join(options.outDir, `Posts${suffix}`);
  const votesPath = join(options.outDir, `Votes${suffix}`);
  await mkdir(options.outDir, { recursive: true });
  const layout = (root: "posts" | "votes") =>
    format === "json"
      ? supplierLayout
      : (records: Iterable<FlatRecord>) => dumpXmlLayout(root, records);
  const postsWritten = await writeRecords(postRecords(options), postsPath, gzip, layout("posts"));
  const votesWritten = await writeRecords(voteRecords(options), votesPath, gzip, layout("votes"));
  const result = { postsPath, votesPath, postsWritten, votesWritten };
  if (format !== "7z") return result;
  const archivePath = join(options.outDir, SITE_ARCHIVE);
  const usersPath = join(options.outDir, "Users.xml");
  await writeFile(usersPath, USERS_XML);
  const members = [postsPath, votesPath, usersPath];
  await rm(archivePath, { force: true });
  await execFileAsync(sevenZip(), ["a", "-bd", "-mx=5", "--", archivePath, ...members]);
  await Promise.all(members.map((path) => rm(path)));
  return { ...result, archivePath };
}

/** A dump's archive holds more than posts and votes; stackhouse skips the rest. */
const USERS_XML =
  '\uFEFF<?xml version="1.0" encoding="utf-8"?>\r\n<users>\r\n  <row Id="-1" DisplayName="Community" />\r\n</users>';

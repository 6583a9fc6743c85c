import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { type FlatRecord, supplierLayout } from "./layout.js";
import { postRecords } from "./post-records.js";
import { type GeneratorOptions, planSnapshots } from "./snapshot-plan.js";
import { voteRecords } from "./vote-records.js";

/** Where and how to write a generated delivery. */
export interface DeliveryOptions extends GeneratorOptions {
  /** Folder for Posts.json and Votes.json; created when missing. */
  readonly outDir: string;
  /** Write Posts.json.gz and Votes.json.gz instead. */
  readonly gzip?: boolean;
}

/** What {@link generateDelivery} wrote. */
export interface DeliveryResult {
  readonly postsPath: string;
  readonly votesPath: string;
  /** Records in the posts file, counting every copy of the duplicated post. */
  readonly postsWritten: number;
  readonly votesWritten: number;
}

const CHUNK_CHARS = 1 << 16;

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
): Promise<number> {
  let written = 0;
  function* counted(): Generator<FlatRecord> {
    for (const record of records) {
      written++;
      yield record;
    }
  }
  const source = Readable.from(batched(supplierLayout(counted())));
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
  const gzip = options.gzip ?? false;
  const suffix = gzip ? ".json.gz" : ".json";
  const postsPath = join(options.outDir, `Posts${suffix}`);
  const votesPath = join(options.outDir, `Votes${suffix}`);
  await mkdir(options.outDir, { recursive: true });
  const postsWritten = await writeRecords(postRecords(options), postsPath, gzip);
  const votesWritten = await writeRecords(voteRecords(options), votesPath, gzip);
  return { postsPath, votesPath, postsWritten, votesWritten };
}

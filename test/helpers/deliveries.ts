import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import {
  generateDelivery,
  postRecords,
  toNdjson,
  toSupplierJson,
  voteRecords,
  type FlatRecord,
} from "../../tools/generate/index.js";

/** Small sizes: enough for every quirk of the generator, fast enough for every test. */
export const SMALL = { posts: 200, votes: 800, seed: 7 } as const;

export interface DeliveryPaths {
  readonly posts: string;
  readonly votes: string;
}

/** Writes snapshot `snapshot` of the small generated site into `dir`. */
export async function generated(dir: string, snapshot = 1): Promise<DeliveryPaths> {
  const result = await generateDelivery({
    ...SMALL,
    snapshot,
    outDir: join(dir, `snapshot-${String(snapshot)}`),
  });
  return { posts: result.postsPath, votes: result.votesPath };
}

/** The records of a snapshot of the small site, as the generator makes them. */
export function records(snapshot = 1): { posts: FlatRecord[]; votes: FlatRecord[] } {
  return {
    posts: [...postRecords({ ...SMALL, snapshot })],
    votes: [...voteRecords({ ...SMALL, snapshot })],
  };
}

export type Layout = "supplier" | "ndjson" | "supplier.gz" | "ndjson.gz";

/** Writes records in a given layout, under a name that does not reveal gzip. */
export async function writeLayout(
  path: string,
  rows: Iterable<FlatRecord>,
  layout: Layout,
): Promise<string> {
  const text = layout.startsWith("ndjson") ? toNdjson(rows) : toSupplierJson(rows);
  await writeFile(path, layout.endsWith(".gz") ? gzipSync(text) : text);
  return path;
}

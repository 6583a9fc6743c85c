import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { generateDelivery } from "../../tools/generate/index.js";

const sizes = { posts: 600, votes: 2400 };
let root = "";

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "stackhouse-generate-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function sameBytes(a: string | Buffer, b: string): Promise<boolean> {
  const left = typeof a === "string" ? await readFile(a) : a;
  return left.equals(await readFile(b));
}

describe("generateDelivery", () => {
  it("writes Posts.json and Votes.json in the supplier's layout and counts the records", async () => {
    const result = await generateDelivery({ ...sizes, seed: 1, outDir: join(root, "a") });
    expect(result.postsPath).toBe(join(root, "a", "Posts.json"));
    expect(result.votesPath).toBe(join(root, "a", "Votes.json"));
    const posts = JSON.parse(await readFile(result.postsPath, "utf8")) as unknown[];
    const votes = JSON.parse(await readFile(result.votesPath, "utf8")) as unknown[];
    expect(posts).toHaveLength(result.postsWritten);
    expect(votes).toHaveLength(result.votesWritten);
    const text = await readFile(result.votesPath, "utf8");
    expect(text.startsWith('[{"Id":"')).toBe(true);
    expect(text.endsWith("}\n]")).toBe(true);
  });

  it("writes the same bytes for the same seed and different bytes for another seed", async () => {
    const first = await generateDelivery({ ...sizes, seed: 7, outDir: join(root, "b1") });
    const again = await generateDelivery({ ...sizes, seed: 7, outDir: join(root, "b2") });
    const other = await generateDelivery({ ...sizes, seed: 8, outDir: join(root, "b3") });
    expect(await sameBytes(again.postsPath, first.postsPath)).toBe(true);
    expect(await sameBytes(again.votesPath, first.votesPath)).toBe(true);
    expect(await sameBytes(other.postsPath, first.postsPath)).toBe(false);
    expect(await sameBytes(other.votesPath, first.votesPath)).toBe(false);
  });

  it("still writes the bundled sample as snapshot 1 of seed 1, byte for byte", async () => {
    const sample = (name: string): string =>
      fileURLToPath(new URL(`../../data/sample/${name}`, import.meta.url));
    const result = await generateDelivery({
      posts: 1500,
      votes: 6000,
      seed: 1,
      outDir: join(root, "sample"),
    });
    expect(await sameBytes(result.postsPath, sample("Posts.json"))).toBe(true);
    expect(await sameBytes(result.votesPath, sample("Votes.json"))).toBe(true);
  });

  it("writes the same bytes for the same seed in later snapshots and increments", async () => {
    for (const delivery of ["snapshot", "increment"] as const) {
      const later = { ...sizes, seed: 7, snapshot: 3, delivery };
      const first = await generateDelivery({ ...later, outDir: join(root, `e-${delivery}-1`) });
      const again = await generateDelivery({ ...later, outDir: join(root, `e-${delivery}-2`) });
      expect(await sameBytes(again.postsPath, first.postsPath)).toBe(true);
      expect(await sameBytes(again.votesPath, first.votesPath)).toBe(true);
    }
  });

  it("writes gzip files that hold exactly the plain bytes", async () => {
    const plain = await generateDelivery({ ...sizes, snapshot: 2, outDir: join(root, "c1") });
    const zipped = await generateDelivery({
      ...sizes,
      snapshot: 2,
      gzip: true,
      outDir: join(root, "c2"),
    });
    expect(zipped.postsPath.endsWith("Posts.json.gz")).toBe(true);
    const posts = gunzipSync(await readFile(zipped.postsPath));
    const votes = gunzipSync(await readFile(zipped.votesPath));
    expect(await sameBytes(posts, plain.postsPath)).toBe(true);
    expect(await sameBytes(votes, plain.votesPath)).toBe(true);
  });

  it("rejects impossible sizes before writing anything", async () => {
    await expect(generateDelivery({ posts: 0, votes: 1, outDir: join(root, "d") })).rejects.toThrow(
      RangeError,
    );
    await expect(
      generateDelivery({ posts: 10, votes: 1, snapshot: 1.5, outDir: join(root, "d") }),
    ).rejects.toThrow(/snapshot/);
  });
});

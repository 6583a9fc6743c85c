import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FlatRecord,
  generateDelivery,
  postRecords,
  snapshotChanges,
  toSupplierJson,
  voteRecords,
} from "../../tools/generate/index.js";

const options = { posts: 2000, votes: 8000, seed: 5 };
let root = "";

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "stackhouse-increment-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function lines(records: Iterable<FlatRecord>): string[] {
  return [...records].map((record) => JSON.stringify(record));
}

describe.each([
  ["posts", postRecords],
  ["votes", voteRecords],
] as const)("the %s increment of snapshot k", (kind, produce) => {
  it.each([2, 3, 4, 5])(
    "is snapshot %i without the records of the one before, byte for byte",
    (k) => {
      const before = new Set(lines(produce({ ...options, snapshot: k - 1 })));
      const full = lines(produce({ ...options, snapshot: k }));
      const increment = lines(produce({ ...options, snapshot: k, delivery: "increment" }));
      expect(increment).toEqual(full.filter((line) => !before.has(line)));
      expect(increment.length).toBeLessThan(full.length * 0.25);
    },
  );

  it("holds the added, changed and restored records of snapshotChanges, nothing deleted", () => {
    const truth = snapshotChanges({ ...options, snapshot: 4 })[kind];
    const increment = [...produce({ ...options, snapshot: 4, delivery: "increment" })];
    const ids = [...new Set(increment.map((record) => Number(record.Id)))];
    const expected = [...truth.added, ...truth.changed, ...truth.restored].sort((a, b) => a - b);
    expect(ids).toEqual(expected);
    expect(truth.restored.length).toBeGreaterThan(0);
    expect(ids.filter((id) => truth.deleted.includes(id))).toEqual([]);
  });

  it("is the whole snapshot for snapshot 1", () => {
    expect(lines(produce({ ...options, delivery: "increment" }))).toEqual(lines(produce(options)));
  });
});

describe("generateDelivery with delivery: increment", () => {
  it("writes the increment in the supplier's layout, the same bytes every time", async () => {
    const increment = { ...options, snapshot: 3, delivery: "increment" } as const;
    const first = await generateDelivery({ ...increment, outDir: join(root, "a") });
    const again = await generateDelivery({ ...increment, outDir: join(root, "b") });
    const posts = await readFile(first.postsPath, "utf8");
    expect(posts).toBe(toSupplierJson(postRecords(increment)));
    expect(await readFile(first.votesPath, "utf8")).toBe(toSupplierJson(voteRecords(increment)));
    expect(await readFile(again.postsPath, "utf8")).toBe(posts);
    expect(first.votesWritten).toBe(snapshotChanges(increment).votes.added.length);
  });

  it("rejects an unknown kind of delivery", async () => {
    const wrong = { ...options, delivery: "delta" } as unknown as { posts: number; votes: number };
    await expect(generateDelivery({ ...wrong, outDir: join(root, "c") })).rejects.toThrow(
      /delivery must be "snapshot" or "increment"/,
    );
  });
});

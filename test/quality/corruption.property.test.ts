import { readFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ENGINES } from "../helpers/engines.js";
import { cli, fileWith, fixtureDelivery } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { listFiles } from "../helpers/warehouse-dump.js";

/** Runs per engine: a ClickHouse run takes seconds, so it tries a sixth as many corruptions. */
const RUNS = { sqlite: 120, clickhouse: 20 } as const;

type Corruption =
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "overwrite"; readonly at: number; readonly byte: number }
  | { readonly kind: "delete"; readonly at: number; readonly length: number }
  | { readonly kind: "insert"; readonly at: number; readonly bytes: readonly number[] };

const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("overwrite" as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    kind: fc.constant("delete" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.array(
      fc.oneof(
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom(
          0x22,
          0x2c,
          0x7b,
          0x7d,
          0x5b,
          0x5d,
          0x5c,
          0x3c,
          0x3e,
          0x26,
          0x2f,
          0x3d,
          0x27,
        ),
      ),
      {
        minLength: 1,
        maxLength: 4,
      },
    ),
  }),
);

function corrupt(bytes: Buffer, change: Corruption): Buffer {
  const at = change.at % (bytes.length + 1);
  switch (change.kind) {
    case "truncate":
      return bytes.subarray(0, at);
    case "overwrite": {
      const copy = Buffer.from(bytes);
      if (at < copy.length) copy[at] = change.byte;
      return copy;
    }
    case "delete":
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + change.length)]);
    case "insert":
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(change.bytes), bytes.subarray(at)]);
  }
}

describe.each(ENGINES)(
  "random corruptions of valid deliveries (JSON and the dump's XML), on $name",
  (engine) => {
    it("never crash, always name the file when they fail, and never change anything then", async () => {
      const dir = await tempDir();
      const warehouse = await engine.fresh(dir);
      const archive = warehouse.destination.archive.dir;
      const fixture = await fixtureDelivery(dir);
      expect((await cli(...warehouse.args, fixture.posts, fixture.votes)).code).toBe(0);
      const originals = {
        json: { posts: await readFile(fixture.posts), votes: await readFile(fixture.votes) },
        xml: {
          posts: await readFile(new URL("../fixtures/dump/Posts.xml", import.meta.url)),
          votes: await readFile(new URL("../fixtures/dump/Votes.xml", import.meta.url)),
        },
      };
      let attempt = 0;
      const state = async () => ({
        warehouse: await warehouse.dump(),
        archive: listFiles(archive),
      });
      /** The warehouse as the last run left it, when that run is known to have changed nothing. */
      let unchanged: Awaited<ReturnType<typeof state>> | undefined;

      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom("posts" as const, "votes" as const),
          fc.constantFrom("json" as const, "xml" as const),
          fc.boolean(),
          corruption,
          async (target, layout, gzip, change) => {
            attempt++;
            const original = originals[layout][target];
            const source = gzip ? gzipSync(original) : original;
            const broken = await fileWith(
              dir,
              `broken-${String(attempt)}.${layout}`,
              corrupt(source, change),
            );
            const files = target === "posts" ? [broken, fixture.votes] : [fixture.posts, broken];
            const before = unchanged ?? (await state());
            unchanged = undefined;

            const result = await cli(...warehouse.args, ...files);

            expect([0, 1, 5]).toContain(result.code);
            if (result.code !== 0) {
              expect(result.stderr.startsWith(`stackhouse: ${broken}: `)).toBe(true);
              expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
              expect(await warehouse.dump()).toEqual(before.warehouse);
              expect(listFiles(archive)).toEqual(before.archive);
              unchanged = before;
            }
          },
        ),
        { numRuns: RUNS[engine.name], seed: 20261126 },
      );
    }, 600_000);
  },
);

import { readdirSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, fixtureDelivery } from "../helpers/fixtures.js";
import { generated } from "../helpers/deliveries.js";
import { tempDir } from "../helpers/temp-dir.js";
import { dumpWarehouse } from "../helpers/warehouse-dump.js";

async function archived(): Promise<{ db: string; objects: string; names: string[] }> {
  const dir = await tempDir();
  const db = join(dir, "w.db");
  const fixture = await fixtureDelivery(dir);
  const next = await generated(dir);
  expect((await cli("--db", db, fixture.posts, fixture.votes)).code).toBe(0);
  expect((await cli("--db", db, next.posts, next.votes)).code).toBe(0);
  const objects = join(dir, "w.db.landing", "objects");
  return { db, objects, names: readdirSync(objects).sort() };
}

describe("the landing archive's integrity", () => {
  it("is confirmed by rebuild --verify without loading anything", async () => {
    const { db } = await archived();
    const before = dumpWarehouse(db);
    const result = await cli("rebuild", "--verify", "--db", db);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Archive intact: 4 file(s) in 2 run(s).");
    expect(dumpWarehouse(db)).toEqual(before);
  });

  it("names a damaged or missing entry, in --verify and when a rebuild replays it", async () => {
    const { db, objects, names } = await archived();
    const [damaged, missing] = names.map((name) => join(objects, name));
    if (damaged === undefined || missing === undefined)
      throw new Error("expected archived objects");
    const bytes = await readFile(damaged);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    await writeFile(damaged, bytes);
    await rm(missing);

    const verify = await cli("rebuild", "--verify", "--db", db);
    expect(verify.code).toBe(4);
    expect(verify.stderr).toContain(`${damaged} (damaged)`);
    expect(verify.stderr).toContain(`${missing} (missing)`);
    expect(verify.stderr.trimEnd().split("\n")).toHaveLength(1);

    const before = dumpWarehouse(db);
    const rebuild = await cli("rebuild", "--db", db);
    expect(rebuild.code).toBe(4);
    expect(rebuild.stderr).toMatch(
      new RegExp(`^stackhouse: (${damaged}|${missing}): archived copy of `),
    );
    expect(dumpWarehouse(db)).toEqual(before);
  });
});

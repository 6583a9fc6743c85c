import { readdirSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENGINES, type Engine, type TestWarehouse } from "../helpers/engines.js";
import { cli, fixtureDelivery } from "../helpers/fixtures.js";
import { generated } from "../helpers/deliveries.js";
import { tempDir } from "../helpers/temp-dir.js";

async function archived(
  engine: Engine,
): Promise<{ warehouse: TestWarehouse; objects: string; names: string[] }> {
  const dir = await tempDir();
  const warehouse = await engine.fresh(dir);
  const fixture = await fixtureDelivery(dir);
  const next = await generated(dir);
  expect((await cli(...warehouse.args, fixture.posts, fixture.votes, "--no-checks")).code).toBe(0);
  expect((await cli(...warehouse.args, next.posts, next.votes, "--no-checks")).code).toBe(0);
  const objects = join(warehouse.destination.archive.dir, "objects");
  return { warehouse, objects, names: readdirSync(objects).sort() };
}

describe.each(ENGINES)("the landing archive's integrity, on $name", (engine) => {
  it("is confirmed by rebuild --verify without loading anything", async () => {
    const { warehouse } = await archived(engine);
    const before = await warehouse.dump();
    const result = await cli("rebuild", "--verify", ...warehouse.args);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Archive intact: 4 file(s) in 2 run(s).");
    expect(await warehouse.dump()).toEqual(before);
  });

  it("names a damaged or missing entry, in --verify and when a rebuild replays it", async () => {
    const { warehouse, objects, names } = await archived(engine);
    const [damaged, missing] = names.map((name) => join(objects, name));
    if (damaged === undefined || missing === undefined)
      throw new Error("expected archived objects");
    const bytes = await readFile(damaged);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    await writeFile(damaged, bytes);
    await rm(missing);

    const verify = await cli("rebuild", "--verify", ...warehouse.args);
    expect(verify.code).toBe(4);
    expect(verify.stderr).toContain(`${damaged} (damaged)`);
    expect(verify.stderr).toContain(`${missing} (missing)`);
    expect(verify.stderr.trimEnd().split("\n")).toHaveLength(1);

    const before = await warehouse.dump();
    const rebuild = await cli("rebuild", ...warehouse.args);
    expect(rebuild.code).toBe(4);
    expect(rebuild.stderr).toMatch(
      new RegExp(`^stackhouse: (${damaged}|${missing}): archived copy of `),
    );
    expect(await warehouse.dump()).toEqual(before);
  });
});

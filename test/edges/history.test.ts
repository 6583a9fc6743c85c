import { existsSync } from "node:fs";
import { cp, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generated } from "../helpers/deliveries.js";
import { ENGINES, type Engine, type TestWarehouse } from "../helpers/engines.js";
import { cli } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { dumpWarehouse, listFiles, queryRows } from "../helpers/warehouse-dump.js";

/** What a replay records anew: when and from where each load was loaded. */
const replayed = { loads: ["loaded_at", "source"] } as const;

const runs = (db: string): unknown =>
  queryRows(db, "SELECT DISTINCT run_id FROM loads ORDER BY run_id");

/** The same, on either engine. */
const runsOf = (warehouse: TestWarehouse): Promise<unknown> =>
  warehouse.rows("SELECT DISTINCT run_id FROM loads ORDER BY run_id");

/** The warehouse's rows and the archive's files, to show a refused run changed nothing. */
async function stateOf(warehouse: TestWarehouse): Promise<unknown> {
  return {
    warehouse: await warehouse.dump(),
    archive: listFiles(warehouse.destination.archive.dir),
  };
}

/**
 * Keeps a copy of the warehouse as it is now, and returns what puts it back later (an older copy
 * restored over a newer warehouse). A ClickHouse database cannot be copied: its copy is rebuilt
 * from the landing archive as it is now.
 */
async function keepOlderCopy(
  engine: Engine,
  warehouse: TestWarehouse,
  dir: string,
): Promise<() => Promise<void>> {
  if (engine.name === "sqlite") {
    const db = warehouse.args[1] ?? "";
    await cp(db, join(dir, "old.db"));
    return async () => {
      await rm(db);
      await rename(join(dir, "old.db"), db);
    };
  }
  const archive = warehouse.destination.archive.dir;
  const [older, newer] = [join(dir, "older.landing"), join(dir, "newer.landing")];
  await cp(archive, older, { recursive: true });
  return async () => {
    await warehouse.drop();
    await rename(archive, newer);
    await rename(older, archive);
    expect((await cli("rebuild", ...warehouse.args)).code).toBe(0);
    await rm(archive, { recursive: true });
    await rename(newer, archive);
  };
}

describe("item 3: two warehouses in one folder", () => {
  it("a.db and a.sqlite keep separate histories", async () => {
    const dir = await tempDir();
    const [first, second] = [await generated(dir, 1), await generated(dir, 2)];
    const a = join(dir, "a.db");
    const other = join(dir, "a.sqlite");
    expect((await cli("--db", a, first.posts, first.votes)).code).toBe(0);

    const result = await cli("--db", other, second.posts, second.votes, "--json", "--no-checks");

    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { replayed: unknown }).replayed).toBeNull();
    expect(runs(other)).toEqual([{ run_id: 1 }]);
    expect(existsSync(`${a}.landing`) && existsSync(`${other}.landing`)).toBe(true);
  });

  it("refuses an archive in the old shared layout, with the command that adopts it", async () => {
    const dir = await tempDir();
    const first = await generated(dir, 1);
    const db = join(dir, "a.db");
    expect((await cli("--db", db, first.posts, first.votes)).code).toBe(0);
    await rename(`${db}.landing`, join(dir, "a.landing"));
    await rm(db);
    // Archives in that layout predate history ids: today's layout, in that place, is another's.
    const manifest = join(dir, "a.landing", "manifest.ndjson");
    const today = await readFile(manifest, "utf8");
    const lines = today.split("\n").filter((line) => !line.includes('"type":"history"'));
    await writeFile(manifest, lines.join("\n"));

    const result = await cli("--db", db, first.posts, first.votes);

    expect(result.code).toBe(4);
    expect(result.stderr).toBe(
      `stackhouse: ${join(dir, "a.landing")}: a landing archive in the layout of an older stackhouse; if it is ${db}'s, move it into place: mv ${join(dir, "a.landing")} ${db}.landing\n`,
    );
    expect(existsSync(db)).toBe(false);

    await writeFile(manifest, today);
    expect((await cli("--db", db, first.posts, first.votes, "--no-checks")).code).toBe(0);
    expect(existsSync(`${db}.landing`)).toBe(true);
  });
});

describe("item 4: a symlinked --db", () => {
  it("keeps data and history together, and a rebuild through the link has every run", async () => {
    const dir = await tempDir();
    const [first, second] = [await generated(dir, 1), await generated(dir, 2)];
    const real = join(dir, "w.db");
    const link = join(dir, "link.db");
    expect((await cli("--db", real, first.posts, first.votes)).code).toBe(0);
    await symlink(real, link);
    expect((await cli("--db", link, second.posts, second.votes)).code).toBe(0);
    expect(existsSync(join(dir, "link.db.landing"))).toBe(false);
    const before = dumpWarehouse(real, replayed);
    await rm(real);

    expect((await cli("--db", link, "rebuild")).code).toBe(0);

    expect(runs(real)).toEqual([{ run_id: 1 }, { run_id: 2 }]);
    expect(dumpWarehouse(real, replayed)).toEqual(before);
  });
});

describe.each(ENGINES)("item 5: history is never lost without a word, on $name", (engine) => {
  it("refuses to go on when the landing folder is gone, unless told to start a new history", async () => {
    const dir = await tempDir();
    const [first, second] = [await generated(dir, 1), await generated(dir, 2)];
    const warehouse = await engine.fresh(dir);
    const archive = warehouse.destination.archive.dir;
    expect((await cli(...warehouse.args, first.posts, first.votes, "--no-checks")).code).toBe(0);
    await rm(archive, { recursive: true });
    const before = await stateOf(warehouse);

    const refused = await cli(...warehouse.args, second.posts, second.votes);

    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("its landing archive");
    expect(refused.stderr).toContain("is missing; restore that folder, or start a new archive");
    expect(refused.stderr).toContain("--new-history");
    expect(await stateOf(warehouse)).toEqual(before);

    expect(
      (await cli(...warehouse.args, second.posts, second.votes, "--new-history", "--no-checks"))
        .code,
    ).toBe(0);
    expect(await runsOf(warehouse)).toEqual([{ run_id: 1 }, { run_id: 2 }]);
    const manifest = await readFile(join(archive, "manifest.ndjson"), "utf8");
    expect(JSON.parse(manifest.split("\n")[0] ?? "")).toMatchObject({ type: "history", run: 1 });
  });

  it("refuses an archive that belongs to another warehouse", async () => {
    const dir = await tempDir();
    const [first, second] = [await generated(dir, 1), await generated(dir, 2)];
    const [a, b] = [await engine.fresh(join(dir, "a")), await engine.fresh(join(dir, "b"))];
    expect((await cli(...a.args, first.posts, first.votes, "--no-checks")).code).toBe(0);
    expect((await cli(...b.args, first.posts, first.votes, "--no-checks")).code).toBe(0);
    await rm(b.destination.archive.dir, { recursive: true });
    await cp(a.destination.archive.dir, b.destination.archive.dir, { recursive: true });
    const before = await stateOf(b);

    const refused = await cli(...b.args, second.posts, second.votes);

    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/landing archive belongs to another warehouse's history/);
    expect(await stateOf(b)).toEqual(before);
  });

  it("refuses a warehouse that lacks runs its archive holds (an older copy put back)", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const { name, option } = warehouse.destination;
    const one = await generated(dir, 1);
    expect((await cli(...warehouse.args, one.posts, one.votes, "--no-checks")).code).toBe(0);
    const putBack = await keepOlderCopy(engine, warehouse, dir);
    const two = await generated(dir, 2);
    expect((await cli(...warehouse.args, two.posts, two.votes, "--no-checks")).code).toBe(0);
    await putBack();
    const before = await stateOf(warehouse);

    const three = await generated(dir, 3);
    const refused = await cli(...warehouse.args, three.posts, three.votes);

    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(`${name}: lacks run(s) 2 that its landing archive`);
    expect(refused.stderr).toContain(`stackhouse rebuild ${option}`);
    expect(await stateOf(warehouse)).toEqual(before);
  });
});

describe("item 5: history is never lost without a word, in a SQLite file", () => {
  it("refuses a zero-byte warehouse beside an archive, and rebuild restores it", async () => {
    const dir = await tempDir();
    const [first, second] = [await generated(dir, 1), await generated(dir, 2)];
    const db = join(dir, "w.db");
    expect((await cli("--db", db, first.posts, first.votes)).code).toBe(0);
    const full = dumpWarehouse(db, replayed);
    await rm(db);
    await writeFile(db, "");
    const archive = listFiles(`${db}.landing`);

    const refused = await cli("--db", db, second.posts, second.votes);

    expect(refused.code).toBe(4);
    expect(refused.stderr).toBe(
      `stackhouse: ${db}: the warehouse file is empty (0 bytes) but its landing archive ${db}.landing holds its history; re-create it with: stackhouse rebuild --db ${db}\n`,
    );
    expect((await readFile(db)).length).toBe(0);
    expect(listFiles(`${db}.landing`)).toEqual(archive);
    expect((await cli("--db", db, "rebuild")).code).toBe(0);
    expect(dumpWarehouse(db, replayed)).toEqual(full);
  });

  it('refuses --db "" before anything is written', async () => {
    const dir = await tempDir();
    const first = await generated(dir, 1);
    const result = await cli("--db", "", first.posts, first.votes);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("give the warehouse file's path");
    expect(existsSync(".landing")).toBe(false);
  });
});

describe.each(ENGINES)("item 5: what a tester found next, on $name", (engine) => {
  it("refuses a warehouse whose archive lost its runs (an empty manifest)", async () => {
    const dir = await tempDir();
    const [first, second] = [await generated(dir, 1), await generated(dir, 2)];
    const warehouse = await engine.fresh(dir);
    const archive = warehouse.destination.archive.dir;
    expect((await cli(...warehouse.args, first.posts, first.votes, "--no-checks")).code).toBe(0);
    await writeFile(join(archive, "manifest.ndjson"), "");
    const before = await stateOf(warehouse);

    const refused = await cli(...warehouse.args, second.posts, second.votes);

    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(
      `${warehouse.destination.name}: holds run(s) 1 but its landing archive ${archive} lacks them`,
    );
    expect(await stateOf(warehouse)).toEqual(before);
  });

  it("refuses a landing archive that is a file, with one line", async () => {
    const dir = await tempDir();
    const first = await generated(dir, 1);
    const warehouse = await engine.fresh(dir);
    const archive = warehouse.destination.archive.dir;
    await writeFile(archive, "x");
    const result = await cli(...warehouse.args, first.posts, first.votes);
    expect(result.code).toBe(4);
    expect(result.stderr).toBe(
      `stackhouse: ${archive}: not a folder, but the landing archive's place; move it away and run again\n`,
    );
  });
});

describe("item 5: what a tester found next, in a SQLite file", () => {
  it("check refuses a zero-byte warehouse instead of making a new one", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    await writeFile(db, "");
    const result = await cli("check", "--db", db);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("no warehouse here (an empty file)");
    expect((await readFile(db)).length).toBe(0);
  });

  it("takes b.landing for the archive of a warehouse named b, not an old layout of b.db", async () => {
    const dir = await tempDir();
    const first = await generated(dir, 1);
    expect((await cli("--db", join(dir, "b"), first.posts, first.votes)).code).toBe(0);
    expect((await cli("--db", join(dir, "b.db"), first.posts, first.votes)).code).toBe(0);
    expect(existsSync(join(dir, "b.db.landing"))).toBe(true);
  });
});

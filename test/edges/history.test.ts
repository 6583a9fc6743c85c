import { existsSync } from "node:fs";
import { cp, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generated } from "../helpers/deliveries.js";
import { cli } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { dumpWarehouse, listFiles, queryRows } from "../helpers/warehouse-dump.js";

/** What a replay records anew: when and from where each load was loaded. */
const replayed = { loads: ["loaded_at", "source"] } as const;

const runs = (db: string): unknown =>
  queryRows(db, "SELECT DISTINCT run_id FROM loads ORDER BY run_id");

/** The warehouse's rows and the archive's files, to show a refused run changed nothing. */
function state(db: string): unknown {
  return { warehouse: dumpWarehouse(db), archive: listFiles(`${db}.landing`) };
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

    const result = await cli("--db", db, first.posts, first.votes);

    expect(result.code).toBe(4);
    expect(result.stderr).toBe(
      `stackhouse: ${join(dir, "a.landing")}: a landing archive in the layout of an older stackhouse; if it is ${db}'s, move it into place: mv ${join(dir, "a.landing")} ${db}.landing\n`,
    );
    expect(existsSync(db)).toBe(false);
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

describe("item 5: history is never lost without a word", () => {
  it("refuses to go on when the landing folder is gone, unless told to start a new history", async () => {
    const dir = await tempDir();
    const [first, second] = [await generated(dir, 1), await generated(dir, 2)];
    const db = join(dir, "w.db");
    expect((await cli("--db", db, first.posts, first.votes)).code).toBe(0);
    await rm(`${db}.landing`, { recursive: true });
    const before = state(db);

    const refused = await cli("--db", db, second.posts, second.votes);

    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("its landing archive");
    expect(refused.stderr).toContain("is missing; restore that folder, or start a new archive");
    expect(refused.stderr).toContain("--new-history");
    expect(state(db)).toEqual(before);

    expect((await cli("--db", db, second.posts, second.votes, "--new-history")).code).toBe(0);
    expect(runs(db)).toEqual([{ run_id: 1 }, { run_id: 2 }]);
    const manifest = await readFile(join(`${db}.landing`, "manifest.ndjson"), "utf8");
    expect(JSON.parse(manifest.split("\n")[0] ?? "")).toMatchObject({ type: "history", run: 1 });
  });

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

  it("refuses an archive that belongs to another warehouse", async () => {
    const dir = await tempDir();
    const [first, second] = [await generated(dir, 1), await generated(dir, 2)];
    const [a, b] = [join(dir, "a.db"), join(dir, "b.db")];
    expect((await cli("--db", a, first.posts, first.votes)).code).toBe(0);
    expect((await cli("--db", b, first.posts, first.votes)).code).toBe(0);
    await rm(`${b}.landing`, { recursive: true });
    await cp(`${a}.landing`, `${b}.landing`, { recursive: true });
    const before = state(b);

    const refused = await cli("--db", b, second.posts, second.votes);

    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/landing archive belongs to another warehouse's history/);
    expect(state(b)).toEqual(before);
  });

  it("refuses a warehouse that lacks runs its archive holds (an older copy put back)", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    const one = await generated(dir, 1);
    expect((await cli("--db", db, one.posts, one.votes)).code).toBe(0);
    await cp(db, join(dir, "old.db"));
    const two = await generated(dir, 2);
    expect((await cli("--db", db, two.posts, two.votes)).code).toBe(0);
    await rm(db);
    await rename(join(dir, "old.db"), db);
    const before = state(db);

    const three = await generated(dir, 3);
    const refused = await cli("--db", db, three.posts, three.votes);

    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(`${db}: lacks run(s) 2 that its landing archive`);
    expect(refused.stderr).toContain(`stackhouse rebuild --db ${db}`);
    expect(state(db)).toEqual(before);
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

describe("item 5: what a tester found next", () => {
  it("refuses a warehouse whose archive lost its runs (an empty manifest)", async () => {
    const dir = await tempDir();
    const [first, second] = [await generated(dir, 1), await generated(dir, 2)];
    const db = join(dir, "w.db");
    expect((await cli("--db", db, first.posts, first.votes)).code).toBe(0);
    await writeFile(join(`${db}.landing`, "manifest.ndjson"), "");
    const before = state(db);

    const refused = await cli("--db", db, second.posts, second.votes);

    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(
      `${db}: holds run(s) 1 but its landing archive ${db}.landing lacks them`,
    );
    expect(state(db)).toEqual(before);
  });

  it("check refuses a zero-byte warehouse instead of making a new one", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    await writeFile(db, "");
    const result = await cli("check", "--db", db);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("no warehouse here (an empty file)");
    expect((await readFile(db)).length).toBe(0);
  });

  it("refuses a landing archive that is a file, with one line", async () => {
    const dir = await tempDir();
    const first = await generated(dir, 1);
    const db = join(dir, "w.db");
    await writeFile(`${db}.landing`, "x");
    const result = await cli("--db", db, first.posts, first.votes);
    expect(result.code).toBe(4);
    expect(result.stderr).toBe(
      `stackhouse: ${db}.landing: not a folder, but the landing archive's place; move it away and run again\n`,
    );
  });

  it("takes b.landing for the archive of a warehouse named b, not an old layout of b.db", async () => {
    const dir = await tempDir();
    const first = await generated(dir, 1);
    expect((await cli("--db", join(dir, "b"), first.posts, first.votes)).code).toBe(0);
    expect((await cli("--db", join(dir, "b.db"), first.posts, first.votes)).code).toBe(0);
    expect(existsSync(join(dir, "b.db.landing"))).toBe(true);
  });
});

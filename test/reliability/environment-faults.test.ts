import { spawnSync } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { generateDelivery } from "../../tools/generate/index.js";
import { generated } from "../helpers/deliveries.js";
import { cli, fixtureDelivery } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { dumpWarehouse, listFiles } from "../helpers/warehouse-dump.js";

const mounted: string[] = [];

/** Mounts a tmpfs (root only); undefined when this machine cannot. */
function mountTmpfs(path: string, options: string): boolean {
  const result = spawnSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", path]);
  if (result.status === 0) mounted.push(path);
  return result.status === 0;
}

function remount(path: string, options: string): void {
  expect(spawnSync("mount", ["-o", `remount,${options}`, path]).status).toBe(0);
}

afterEach(() => {
  for (const path of mounted.splice(0)) spawnSync("umount", [path]);
});

const canMount = process.getuid?.() === 0;

describe("faults of the environment", () => {
  it("a read-only warehouse folder gives one line and changes nothing", async (context) => {
    const dir = await tempDir();
    const folder = join(dir, "ro");
    await mkdir(folder);
    if (!canMount || !mountTmpfs(folder, "size=8m")) {
      console.warn("SKIPPED: mounting a read-only tmpfs needs root");
      context.skip();
    }
    const db = join(folder, "w.db");
    const fixture = await fixtureDelivery(dir);
    expect((await cli("--db", db, fixture.posts, fixture.votes)).code).toBe(0);
    const before = {
      warehouse: dumpWarehouse(db),
      archive: listFiles(join(folder, "w.db.landing")),
    };
    remount(folder, "ro");

    const next = await generated(dir);
    const result = await cli("--db", db, next.posts, next.votes);

    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`^stackhouse: ${db}[^\\n]*: [^\\n]+\\n$`));
    expect(dumpWarehouse(db)).toEqual(before.warehouse);
    expect(listFiles(join(folder, "w.db.landing"))).toEqual(before.archive);
  });

  it("a disk that fills up mid-load gives one line, changes nothing, and the next run succeeds", async (context) => {
    const dir = await tempDir();
    const folder = join(dir, "small");
    await mkdir(folder);
    if (!canMount || !mountTmpfs(folder, "size=2m")) {
      console.warn("SKIPPED: mounting a small tmpfs needs root");
      context.skip();
    }
    const db = join(folder, "w.db");
    const fixture = await fixtureDelivery(dir);
    expect((await cli("--db", db, fixture.posts, fixture.votes)).code).toBe(0);
    const before = {
      warehouse: dumpWarehouse(db),
      archive: listFiles(join(folder, "w.db.landing")),
    };

    const next = await generateDelivery({
      posts: 3000,
      votes: 20000,
      seed: 5,
      outDir: join(dir, "big"),
    });
    const full = await cli("--db", db, next.postsPath, next.votesPath);

    expect([3, 4]).toContain(full.code);
    expect(full.stderr).toMatch(/^stackhouse: [^\n]*(no space left|ENOSPC)[^\n]*\n$/);
    expect(dumpWarehouse(db)).toEqual(before.warehouse);
    expect(listFiles(join(folder, "w.db.landing"))).toEqual(before.archive);

    remount(folder, "size=64m");
    expect((await cli("--db", db, next.postsPath, next.votesPath)).code).toBe(0);
  });
});

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ingest } from "../../src/run/ingest.js";
import { generated } from "../helpers/deliveries.js";
import { cli, fixtureDelivery } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";

describe("item 9: a lock file left without a running owner", () => {
  it.each([
    ["empty (a full disk when it was written)", ""],
    ["holding no pid", "not a pid\n"],
    ["holding a pid with trailing garbage", "12x"],
  ])("is taken over when %s", async (_case, content) => {
    const dir = await tempDir();
    const warehouse = join(dir, "w.db");
    await writeFile(`${warehouse}.lock`, content);
    const report = await ingest({ warehouse, ...(await generated(dir)), lockTimeoutMs: 300 });
    expect(report.runId).toBe(1);
  });
});

describe("item 9: a full disk when the lock is written", () => {
  it("is one line naming the lock, with no stack trace, and leaves no lock behind", async (context) => {
    const dir = await tempDir();
    const folder = join(dir, "full");
    await mkdir(folder);
    const mounted =
      process.getuid?.() === 0 &&
      spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", folder]).status === 0;
    if (!mounted) {
      console.warn("SKIPPED: mounting a small tmpfs needs root");
      context.skip();
    }
    try {
      spawnSync("dd", ["if=/dev/zero", `of=${join(folder, "filler")}`, "bs=64k", "count=64"]);
      const { posts, votes } = await fixtureDelivery(dir);
      const db = join(folder, "w.db");

      const result = await cli("--db", db, posts, votes);

      expect(result.code).toBe(3);
      expect(result.stderr).toBe(
        `stackhouse: ${db}.lock: cannot create the run lock: no space left on the device\n`,
      );
      expect(existsSync(`${db}.lock`)).toBe(false);
    } finally {
      spawnSync("umount", [folder]);
    }
  });
});

describe("item 9: locks that are not what they seem", () => {
  it("takes over a dangling symlink and a lock whose pid now belongs to another process", async () => {
    const dir = await tempDir();
    const warehouse = join(dir, "w.db");
    await symlink(join(dir, "nowhere"), `${warehouse}.lock`);
    expect((await ingest({ warehouse, ...(await generated(dir)), lockTimeoutMs: 300 })).runId).toBe(
      1,
    );

    await writeFile(`${warehouse}.lock`, `${String(process.pid)} 1`);
    expect(
      (await ingest({ warehouse, ...(await generated(dir, 2)), lockTimeoutMs: 300 })).runId,
    ).toBe(2);
  });

  it("refuses a folder where the lock belongs, in one line", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    await mkdir(`${db}.lock`);
    const { posts, votes } = await fixtureDelivery(dir);
    const result = await cli("--db", db, posts, votes);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `stackhouse: ${db}.lock: a folder where the run lock belongs; move it away and run again\n`,
    );
  });
});

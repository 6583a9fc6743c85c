import { spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout } from "node:timers/promises";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { generateDelivery } from "../../tools/generate/index.js";
import { stackhouseCommand } from "../../tools/stackhouse-command.js";
import { cli } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";

const COUNTS =
  "SELECT (SELECT count(*) FROM posts) || '/' || (SELECT count(*) FROM votes) AS counts";

/** The value the query command printed (its last line, under the header). */
function lastLine(stdout: string): string {
  return stdout.trim().split("\n").at(-1) ?? "";
}

/** The counts as a read-only connection of its own sees them. */
function readCounts(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(COUNTS).pluck().get() as string;
  } finally {
    db.close();
  }
}

describe("an analyst reading during a load", () => {
  it("is not blocked, and sees the warehouse before or after the load, never in between", async () => {
    const dir = await tempDir();
    const db = join(dir, "w.db");
    // A load long enough for several reads, each of which starts a query process.
    const sizes = { posts: 4000, votes: 120_000, seed: 3 } as const;
    const first = await generateDelivery({ ...sizes, outDir: join(dir, "s1") });
    const second = await generateDelivery({ ...sizes, snapshot: 2, outDir: join(dir, "s2") });
    expect((await cli("--db", db, first.postsPath, first.votesPath, "--no-checks")).code).toBe(0);
    const before = lastLine((await cli("query", COUNTS, "--db", db)).stdout);

    const [program, ...args] = stackhouseCommand("sources");
    const load = spawn(
      program,
      [...args, "--db", db, second.postsPath, second.votesPath, "--no-checks"],
      { stdio: "ignore" },
    );
    const state = { running: true };
    const finished = new Promise<number | null>((resolve) =>
      load.on("exit", (code) => {
        state.running = false;
        resolve(code);
      }),
    );
    const seen: string[] = [];
    const whileLoading = { queries: 0, reads: 0 };
    const stillLoading = (): boolean => state.running;
    // The query command (a process of its own, slow to start from sources) now and then, and a
    // plain read-only connection, as any SQLite client would open, in between.
    for (let round = 0; stillLoading(); round++) {
      if (round % 10 === 0) {
        const result = await cli("query", COUNTS, "--db", db);
        expect(result.code).toBe(0);
        seen.push(lastLine(result.stdout));
        if (stillLoading()) whileLoading.queries++;
      } else {
        seen.push(readCounts(db));
        if (stillLoading()) whileLoading.reads++;
      }
      await setTimeout(20);
    }
    expect(await finished).toBe(0);
    const after = lastLine((await cli("query", COUNTS, "--db", db)).stdout);

    expect(after).not.toBe(before);
    expect(whileLoading.queries).toBeGreaterThanOrEqual(1);
    expect(whileLoading.reads).toBeGreaterThan(10);
    expect(seen.filter((counts) => counts !== before && counts !== after)).toEqual([]);
  });
});

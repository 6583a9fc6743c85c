import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generated } from "./helpers/deliveries.js";
import { cli } from "./helpers/fixtures.js";
import { tempDir } from "./helpers/temp-dir.js";

const PAGE = new URL("../docs/python.md", import.meta.url);

/** A Python with pandas and matplotlib: the one on PATH, or Debian's (python3-pandas). */
function pythonWithPandas(): string | undefined {
  return ["python3", "/usr/bin/python3"].find(
    (python) => spawnSync(python, ["-c", "import pandas, matplotlib"]).status === 0,
  );
}

describe("docs/python.md", () => {
  it("runs as written with pandas, and finds the answer stackhouse report gives", async (context) => {
    const python = pythonWithPandas();
    if (python === undefined) {
      if (process.env.STACKHOUSE_REQUIRE_PANDAS === "1") throw new Error("no python3 pandas");
      console.warn("SKIPPED: no python3 with pandas and matplotlib (Debian: python3-pandas)");
      context.skip();
    }
    const dir = await tempDir();
    const db = join(dir, "warehouse.db");
    const delivery = await generated(dir);
    expect((await cli("--db", db, delivery.posts, delivery.votes)).code).toBe(0);
    const exports = [
      ["SELECT * FROM weekly_votes_all_weeks", "weeks.csv"],
      ["SELECT * FROM votes", "votes.parquet"],
    ] as const;
    for (const [sql, file] of exports) {
      const format = file.endsWith(".parquet") ? ["--format", "parquet"] : [];
      expect(
        (await cli("query", sql, "--db", db, ...format, "--output", join(dir, file))).code,
      ).toBe(0);
    }
    const blocks = [...readFileSync(PAGE, "utf8").matchAll(/```python\n([\s\S]*?)```/g)].map(
      (block) => block[1] ?? "",
    );
    expect(blocks.length).toBeGreaterThanOrEqual(3);

    const run = spawnSync(python ?? "python3", ["-c", blocks.join("\n")], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, MPLCONFIGDIR: join(dir, ".matplotlib") },
    });

    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(existsSync(join(dir, "weekly.png"))).toBe(true);
    const report = JSON.parse((await cli("report", "--db", db, "--json")).stdout) as {
      perVotedPost: { mean: number; pooled: number };
    };
    expect(run.stdout).toContain(
      `per voted post: mean of weekly ratios ${report.perVotedPost.mean.toFixed(4)}, pooled ${report.perVotedPost.pooled.toFixed(4)}`,
    );
  });
});

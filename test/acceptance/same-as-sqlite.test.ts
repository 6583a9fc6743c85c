import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../src/check/checks.js";
import { ingest } from "../../src/run/ingest.js";
import { generated, records, writeLayout } from "../helpers/deliveries.js";
import { ENGINES, type Engine, type TestWarehouse } from "../helpers/engines.js";
import { cli, fileWith, fixtureDelivery } from "../helpers/fixtures.js";
import { loadAsOlderVersionAt } from "../helpers/older-version.js";
import { expectedFindings, outOfWindow, post, rulebreakers } from "../helpers/rulebreakers.js";
import { tempDir } from "../helpers/temp-dir.js";

/**
 * Checks SQLite runs and the engine does not, by engine: none since every check runs on both
 * (before, ClickHouse left out the unique-id and required-field checks, the delivery ledger checks
 * and votes_resent_with_other_content). A check either engine leaves out shows up here.
 */
const NOT_RUN: Readonly<Record<Engine["name"], readonly string[]>> = { sqlite: [], clickhouse: [] };

/** What a warehouse holds, in counts: a refused delivery must change none of them. */
const STATE = `SELECT (SELECT count(*) FROM loads) AS loads, (SELECT count(*) FROM posts) AS posts,
  (SELECT count(*) FROM votes) AS votes, (SELECT count(*) FROM rejected_records) AS rejected`;

interface CheckLine {
  readonly name: string;
  readonly severity: string;
  readonly failing: number;
  readonly sample: readonly number[];
}

function checkLines(stdout: string): CheckLine[] {
  return (JSON.parse(stdout) as { results: CheckLine[] }).results.map(
    ({ name, severity, failing, sample }) => ({ name, severity, failing, sample }),
  );
}

/** The failing checks of a `check --json` output, with their sample ids. */
function failing(lines: readonly CheckLine[]): Record<string, readonly number[]> {
  return Object.fromEntries(
    lines.filter((line) => line.failing > 0).map((line) => [line.name, line.sample]),
  );
}

/** A fresh warehouse of the engine under test, and a SQLite one beside it to compare with. */
async function withReference(
  engine: Engine,
): Promise<{ dir: string; warehouse: TestWarehouse; reference: TestWarehouse }> {
  const dir = await tempDir();
  const sqlite = ENGINES.find((each) => each.name === "sqlite");
  if (sqlite === undefined) throw new Error("no SQLite engine to compare with");
  return {
    dir,
    warehouse: await engine.fresh(dir),
    reference: await sqlite.fresh(join(dir, "reference")),
  };
}

describe.each(ENGINES)("on $name, as on SQLite", (engine) => {
  it("refuses the same bad deliveries as SQLite, with the same one-line errors and exit codes, writing nothing", async () => {
    const { dir, warehouse, reference } = await withReference(engine);
    const fixture = await fixtureDelivery(dir);
    for (const w of [warehouse, reference]) {
      expect((await cli("ingest", fixture.posts, fixture.votes, ...w.args)).code).toBe(0);
    }
    const vote = (id: number, extra = ""): string =>
      `{"Id":"${String(id)}","PostId":"1","VoteTypeId":"2"${extra},"CreationDate":"2019-02-04T00:00:00.000"}`;
    const good = Array.from({ length: 36 }, (_, index) => vote(1000 + index));
    const bad = [
      vote(1, ',"BountyAmount":"x"'),
      vote(2, ',"BountyAmount":"y"'),
      vote(3, ',"UserId":"1.5"'),
      '{"Id":"4","PostId":"1","CreationDate":"2019-02-04T00:00:00.000"}',
    ];
    const truncated = await fileWith(dir, "v2.json", `[${vote(5)}\n,{"Id":"6"`);
    const cases: [string, string[]][] = [
      [
        "too many rejected",
        [fixture.posts, await fileWith(dir, "v1.json", `[${[...good, ...bad].join("\n,")}\n]`)],
      ],
      ["truncated", [fixture.posts, truncated]],
      ["not JSON", [fixture.posts, await fileWith(dir, "v3.json", "Id,PostId\n1,2\n")]],
      ["votes as posts", [fixture.votes, fixture.votes]],
      ["empty", [fixture.posts, await fileWith(dir, "v4.json", "")]],
      ["missing", [fixture.posts, join(dir, "no-such-file.json")]],
    ];
    const before = await warehouse.rows(STATE);
    const archived = warehouse.destination.archive.read().committed.length;
    const results: Record<string, { code: number; stderr: string }> = {};
    for (const [name, files] of cases) {
      const onSqlite = await cli("ingest", ...files, ...reference.args);
      const onEngine = await cli("ingest", ...files, ...warehouse.args);
      expect(onSqlite.code, name).toBeGreaterThan(0);
      expect(onSqlite.stderr.split("\n"), name).toHaveLength(2);
      expect({ code: onEngine.code, stderr: onEngine.stderr }, name).toEqual({
        code: onSqlite.code,
        stderr: onSqlite.stderr,
      });
      results[name] = { code: onEngine.code, stderr: onEngine.stderr };
    }
    expect(results.truncated).toEqual({
      code: 1,
      stderr: `stackhouse: ${truncated}: line 2, column 2: truncated: record 2 is not closed\n`,
    });
    expect(results["too many rejected"]?.code).toBe(5);
    expect(await warehouse.rows(STATE)).toEqual(before);
    expect(warehouse.destination.archive.read().committed).toHaveLength(archived);
  });

  it("refuses check and report on a warehouse never loaded, with exit 3 and one line naming it", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    for (const command of ["check", "report"]) {
      expect(await cli(command, ...warehouse.args), command).toEqual({
        code: 3,
        stdout: "",
        stderr: `stackhouse: ${warehouse.destination.name}: no warehouse here; ingest a delivery first\n`,
      });
    }
  });

  it("answers the weekly question exactly as SQLite: every week, every column, both summaries", async () => {
    const { dir, warehouse, reference } = await withReference(engine);
    const { posts, votes } = records(1);
    const stale = {
      posts: await writeLayout(join(dir, "stale-posts.ndjson"), posts, "ndjson"),
      votes: await writeLayout(join(dir, "stale-votes.ndjson"), votes, "ndjson"),
    };
    // A post moved to an old week with a late activity, and a new post in a week of no votes.
    const moved = {
      ...posts[0],
      CreationDate: "2016-01-04T08:00:00.000",
      LastActivityDate: "2023-03-04T00:00:00.000",
    };
    const later = {
      posts: await fileWith(
        dir,
        "later-posts.json",
        `[${post({ id: 990001, created: "2023-03-03T08:00:00.000" })}\n,${JSON.stringify(moved)}]`,
      ),
      votes: await fileWith(dir, "later-votes.json", "[]"),
    };
    for (const delivery of [await generated(dir, 1), await generated(dir, 2), stale, later]) {
      for (const w of [warehouse, reference]) {
        await ingest({ warehouse: w.destination, ...delivery, checks: false });
      }
    }
    const report = async (w: TestWarehouse, ...options: string[]) => {
      const result = await cli("report", ...options, ...w.args);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      return result.stdout;
    };
    const answer = JSON.parse(await report(warehouse, "--json")) as {
      series: { votes: number }[];
    };
    expect(answer.series.length).toBeGreaterThan(20);
    expect(answer.series.some((week) => week.votes === 0)).toBe(true);
    expect(answer).toEqual(JSON.parse(await report(reference, "--json")));
    expect(await report(warehouse, "--weeks", "0")).toBe(await report(reference, "--weeks", "0"));
  });

  it("reports a warehouse an older stackhouse loaded with dates outside the window as SQLite does, with the note", async () => {
    const { dir, warehouse, reference } = await withReference(engine);
    const fixture = await fixtureDelivery(dir);
    const outputs: Record<string, string>[] = [];
    for (const w of [warehouse, reference]) {
      expect(
        (await cli("ingest", fixture.posts, fixture.votes, "--no-checks", ...w.args)).code,
      ).toBe(0);
      const clean = await cli("report", "--weeks", "0", ...w.args);
      await loadAsOlderVersionAt(w.args, outOfWindow);
      const json = await cli("report", "--json", ...w.args);
      const text = await cli("report", "--weeks", "0", ...w.args);
      expect([json.code, json.stderr, text.code, text.stderr]).toEqual([0, "", 0, ""]);
      expect(text.stdout).toMatch(/^note: the warehouse holds timestamps outside 2008-01-01 to /);
      expect(text.stdout.endsWith(`\n${clean.stdout}`)).toBe(true);
      outputs.push({ json: json.stdout, text: text.stdout });
    }
    const [onEngine, onSqlite] = outputs;
    expect(JSON.parse(onEngine?.json ?? "")).toMatchObject({
      outOfWindow: { from: "2008-01-01", votes: 2, posts: 2 },
    });
    expect(onEngine).toEqual(onSqlite);
  });

  it("runs the data-quality checks with the same findings as SQLite, stores them, and exits 6 on errors", async () => {
    const { dir, warehouse, reference } = await withReference(engine);
    const fixture = await fixtureDelivery(dir);
    const posts = await fileWith(dir, "p.json", `[${rulebreakers.posts.join("\n,")}\n]`);
    const votes = await fileWith(dir, "v.json", `[${rulebreakers.votes.join("\n,")}\n]`);
    const checked: Record<"engine" | "sqlite", CheckLine[]> = { engine: [], sqlite: [] };
    const stderr: Record<"engine" | "sqlite", string> = { engine: "", sqlite: "" };
    for (const [side, w] of [
      ["engine", warehouse],
      ["sqlite", reference],
    ] as const) {
      expect((await cli("ingest", fixture.posts, fixture.votes, ...w.args)).code).toBe(0);
      const clean = await cli("check", "--json", ...w.args);
      expect(clean.code).toBe(0);
      expect(failing(checkLines(clean.stdout))).toEqual({ votes_orphaned: [7] });

      expect((await cli("ingest", posts, votes, "--no-checks", ...w.args)).code).toBe(0);
      await loadAsOlderVersionAt(w.args, outOfWindow);
      const result = await cli("check", "--json", ...w.args);
      expect(result.code).toBe(6);
      expect(result.stderr).toMatch(/^stackhouse: checks of error severity failed: [^\n]+\n$/);
      checked[side] = checkLines(result.stdout);
      stderr[side] = result.stderr;
    }

    const ran = new Set(checked.engine.map((line) => line.name));
    expect(checked.sqlite.map((line) => line.name)).toEqual(CHECKS.map((check) => check.name));
    expect(checked.sqlite.map((line) => line.name).filter((name) => !ran.has(name))).toEqual(
      NOT_RUN[engine.name],
    );
    expect(checked.engine).toEqual(checked.sqlite.filter((line) => ran.has(line.name)));
    expect(failing(checked.engine)).toEqual(expectedFindings);
    expect(stderr.engine).toBe(stderr.sqlite);

    const latest =
      "SELECT name, failing, sample_ids FROM latest_check_results WHERE failing > 0 ORDER BY name";
    const stored = await warehouse.rows(latest);
    expect(stored).toEqual(
      Object.entries(expectedFindings)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, ids]) => ({ name, failing: ids.length, sample_ids: JSON.stringify(ids) })),
    );
    expect(stored).toEqual(await reference.rows(latest));
  });
});

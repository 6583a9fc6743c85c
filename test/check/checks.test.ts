import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../src/check/checks.js";
import { ingest } from "../../src/run/ingest.js";
import { ENGINES } from "../helpers/engines.js";
import { cli, fileWith, fixtureDelivery } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { loadAsOlderVersionAt } from "../helpers/older-version.js";
import { expectedFindings, outOfWindow, post, rulebreakers } from "../helpers/rulebreakers.js";

describe.each(ENGINES)("stackhouse check on $name", (engine) => {
  it("passes a clean delivery but for the orphaned vote, a warning, and exits 0", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const fixture = await fixtureDelivery(dir);
    await cli(...warehouse.args, fixture.posts, fixture.votes);

    const result = await cli("check", ...warehouse.args);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/votes_orphaned\s+warning\s+1\s+7\s/);
    expect(result.stdout).toContain("0 error check(s) and 1 warning check(s) found problems.");
  });

  it("fails an ingest with --fail-on after committing it, for schedulers", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const fixture = await fixtureDelivery(dir);
    const clean = await cli(...warehouse.args, fixture.posts, fixture.votes, "--fail-on", "error");
    expect(clean.code).toBe(0);
    const posts = await fileWith(dir, "p.json", `[${rulebreakers.posts.join("\n,")}\n]`);
    const votes = await fileWith(dir, "v.json", `[${rulebreakers.votes.join("\n,")}\n]`);

    const failed = await cli(...warehouse.args, posts, votes, "--fail-on", "error");

    expect(failed.code).toBe(6);
    expect(failed.stdout).toMatch(/vote_user_id_type\s+error\s+1\s+20/);
    expect(failed.stderr).toMatch(
      /^stackhouse: the run is committed, but checks of error severity failed: accepted_answer_not_an_answer \(1\), .*\(--fail-on error\)\n$/,
    );
    expect(await warehouse.rows("SELECT count(*) AS runs FROM loads WHERE run_id = 2")).toEqual([
      { runs: 2 },
    ]);
    const warned = await cli(...warehouse.args, fixture.votes, "--fail-on", "warning");
    expect(warned.code).toBe(6);
    expect(warned.stderr).toMatch(
      /checks of warning or error severity failed: .*votes_orphaned.*\(--fail-on warning\)/,
    );
    const skipped = await cli(
      ...warehouse.args,
      fixture.votes,
      "--fail-on",
      "error",
      "--no-checks",
    );
    expect(skipped).toMatchObject({
      code: 2,
      stderr: "stackhouse: --fail-on needs the checks that --no-checks skips\n",
    });
  });

  it("finds each rule broken, with its count and sample ids, stores the results and exits 6", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const fixture = await fixtureDelivery(dir);
    await cli(...warehouse.args, fixture.posts, fixture.votes);
    const posts = await fileWith(dir, "p.json", `[${rulebreakers.posts.join("\n,")}\n]`);
    const votes = await fileWith(dir, "v.json", `[${rulebreakers.votes.join("\n,")}\n]`);
    const ingest = await cli(...warehouse.args, posts, votes);
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toMatch(/vote_user_id_type\s+error\s+1\s+20/);
    await loadAsOlderVersionAt(warehouse.args, outOfWindow);

    const result = await cli("check", ...warehouse.args, "--json");

    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(
      /^stackhouse: checks of error severity failed: accepted_answer_not_an_answer \(1\), /,
    );
    const report = JSON.parse(result.stdout) as {
      results: { name: string; sample: number[]; failing: number }[];
    };
    const found = Object.fromEntries(
      report.results.filter((r) => r.failing > 0).map((r) => [r.name, r.sample]),
    );
    expect(found).toEqual(expectedFindings);
    const stored = await warehouse.rows(
      "SELECT name, failing, sample_ids FROM latest_check_results WHERE failing > 0 ORDER BY name",
    );
    expect(stored).toEqual(
      Object.entries(expectedFindings)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, ids]) => ({ name, failing: ids.length, sample_ids: JSON.stringify(ids) })),
    );
    expect(await warehouse.rows("SELECT run_id FROM check_runs ORDER BY check_run_id")).toEqual([
      { run_id: 1 },
      { run_id: 2 },
      { run_id: null },
    ]);
  });

  it("counts orphaned votes until their post arrives, then no more", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const fixture = await fixtureDelivery(dir);
    await cli(...warehouse.args, fixture.posts, fixture.votes);
    const late = await fileWith(dir, "late.json", `[${post({ id: 99 })}\n]`);
    const result = await cli(...warehouse.args, late);
    expect(result.stdout).toContain("Checks: all 22 passed.");
    expect(CHECKS).toHaveLength(22);
  });

  it("carries findings over to a run that loads nothing new, but runs again what time can change", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const fixture = await fixtureDelivery(dir);
    const future = await fileWith(
      dir,
      "p.json",
      `[${post({ id: 15, created: "2099-01-01T00:00:00.000" })}\n]`,
    );
    const files = [fixture.posts, fixture.votes, future];
    const at = (iso: string) => () => new Date(iso);
    const run = (iso: string, checks = true) =>
      ingest({ warehouse: warehouse.destination, files, now: at(iso), checks });
    const inFuture = (report: Awaited<ReturnType<typeof run>>) =>
      report.checks?.results.find((r) => r.name === "posts_timestamps_in_future")?.failing;

    const first = await run("2099-06-01T00:00:00.000Z");
    expect(first.checks?.carriedOver).toEqual([]);
    expect(inFuture(first)).toBe(0);

    const clockBack = await run("2098-06-01T00:00:00.000Z");
    const timed = ["posts_timestamps_in_future", "votes_timestamps_in_future"];
    const dataChecks = CHECKS.filter((check) => check.ledger !== true).map((check) => check.name);
    expect(clockBack.checks?.carriedOver).toEqual(dataChecks.filter((n) => !timed.includes(n)));
    expect(inFuture(clockBack)).toBe(1);
    const found = (report: Awaited<ReturnType<typeof run>>) =>
      Object.fromEntries(report.checks?.results.map((r) => [r.name, r.sample]) ?? []);
    expect(found(clockBack)).toEqual({ ...found(first), posts_timestamps_in_future: [15] });

    const clockOn = await run("2099-06-01T00:00:00.000Z");
    expect(clockOn.checks?.carriedOver).not.toContain("posts_timestamps_in_future");
    expect(clockOn.checks?.carriedOver).toContain("votes_timestamps_in_future");
    expect(inFuture(clockOn)).toBe(0);

    const more = await fileWith(dir, "more.json", `[${post({ id: 99 })}\n]`);
    await ingest({ warehouse: warehouse.destination, files: [more], checks: false });
    const afterUnchecked = await run("2099-06-01T00:00:00.000Z");
    expect(afterUnchecked.checks?.carriedOver).toEqual([]);
    const printed = await cli(...warehouse.args, fixture.votes);
    expect(printed.stdout).toContain(
      `carried over from the last run's checks: nothing new was loaded`,
    );
  });

  it("is skipped after an ingest with --no-checks, and refuses a missing warehouse", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const fixture = await fixtureDelivery(dir);
    const result = await cli(...warehouse.args, "--no-checks", fixture.posts, fixture.votes);
    expect(result.stdout).not.toContain("Checks");
    expect(await warehouse.rows("SELECT count(*) AS n FROM check_runs")).toEqual([{ n: 0 }]);
    const nowhere = await engine.fresh(join(dir, "nope"));
    const missing = await cli("check", ...nowhere.args);
    expect(missing).toMatchObject({
      code: 3,
      stderr: `stackhouse: ${nowhere.destination.name}: no warehouse here; ingest a delivery first\n`,
    });
  });
});

import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatTable } from "../../src/cli/format-table.js";
import { weekOf } from "../../src/model/week.js";
import { generated } from "../helpers/deliveries.js";
import { ENGINES, type Engine } from "../helpers/engines.js";
import { cli } from "../helpers/fixtures.js";
import { loadAsOlderVersionAt } from "../helpers/older-version.js";
import { tempDir } from "../helpers/temp-dir.js";

const ANCIENT_POST = JSON.stringify({
  Id: "990001",
  PostTypeId: "1",
  CreationDate: "0001-01-01T00:00:00.000",
  Score: "0",
  Body: "<p>b</p>",
  LastActivityDate: "0001-01-01T00:00:00.000",
  CommentCount: "0",
  ContentLicense: "CC BY-SA 4.0",
});
const DISTANT_VOTE = JSON.stringify({
  Id: "990002",
  PostId: "1",
  VoteTypeId: "2",
  CreationDate: "9999-12-31T00:00:00.000",
});

/** The weeks from 2008 to 2100, with the report's headings; year 1 to 9999 made 521,723. */
const MAX_REPORT_LINES = 5_000;
/** Chart.js and a thousand-odd weeks of data; a calendar from year 1 to 9999 made 103 MB. */
const MAX_HTML_BYTES = 2_000_000;

/** Appends a record to a file in the supplier's layout. */
function append(path: string, record: string): void {
  writeFileSync(path, readFileSync(path, "utf8").replace(/\n\]\s*$/, `\n,${record}\n]`));
}

/** A warehouse in a new temp folder, loaded with the small generated delivery. */
async function generatedWarehouse(engine: Engine) {
  const dir = await tempDir();
  const warehouse = await engine.fresh(dir);
  const delivery = await generated(dir);
  const result = await cli(...warehouse.args, delivery.posts, delivery.votes);
  if (result.code !== 0) throw new Error(`the generated delivery did not load: ${result.stderr}`);
  return { dir, warehouse };
}

describe.each(ENGINES)("absurd but valid dates (issue 11, item 11), on $name", (engine) => {
  it("quarantines a post dated 0001-01-01 and a vote dated 9999-12-31, saying why", async () => {
    const dir = await tempDir();
    const warehouse = await engine.fresh(dir);
    const delivery = await generated(dir);
    append(delivery.posts, ANCIENT_POST);
    append(delivery.votes, DISTANT_VOTE);
    const before = new Date().toISOString().slice(0, 23);

    const result = await cli(...warehouse.args, delivery.posts, delivery.votes);

    const after = new Date().toISOString().slice(0, 23);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [post, vote] = await warehouse.rows(
      "SELECT l.kind, r.reason FROM rejected_records AS r JOIN loads AS l USING (load_id) ORDER BY l.kind",
    );
    expect(post).toEqual({
      kind: "posts",
      reason:
        'CreationDate: "0001-01-01T00:00:00.000" is before 2008-01-01, when Stack Exchange began',
    });
    const later =
      /^CreationDate: "9999-12-31T00:00:00\.000" is later than the time of the run \((.+)\)$/;
    const runTime = later.exec(String(vote?.reason))?.[1] ?? "";
    expect(vote?.kind).toBe("votes");
    expect(runTime >= before && runTime <= after, runTime).toBe(true);
    expect(await warehouse.rows("SELECT count(*) AS n FROM posts WHERE id = 990001")).toEqual([
      { n: 0 },
    ]);
    expect(await warehouse.rows("SELECT count(*) AS n FROM votes WHERE id = 990002")).toEqual([
      { n: 0 },
    ]);
  });

  it("reports the same weeks as the table weekly_votes_all_weeks for dates inside the window", async () => {
    const { warehouse } = await generatedWarehouse(engine);
    const opened = await warehouse.destination.openForReading();
    const answer = await opened.weeklyAnswer().finally(() => opened.close());
    expect(answer.series.length).toBeGreaterThan(20);
    expect(answer.outOfWindow).toBeNull();
    expect(answer.series).toEqual(
      await warehouse.rows(
        `SELECT week_start, iso_year, iso_week, votes, posts_voted, mean_votes_per_post, upvotes,
                downvotes, updown_posts_voted, posts_live, mean_votes_per_live_post, is_partial
         FROM weekly_votes_all_weeks ORDER BY week_start`,
      ),
    );
  });

  // ClickHouse 18.16 names the week of 0001-01-01 and of 9999-12-31 "1970-01-01" (see the data
  // dictionary, On ClickHouse); the report leaves such weeks out there too.
  if (engine.name === "sqlite") {
    it("keeps report --weeks 0, --json and --html bounded on a warehouse an older version loaded with such dates", async () => {
      const { dir, warehouse } = await generatedWarehouse(engine);
      const report = (...options: string[]) => cli("report", ...warehouse.args, ...options);
      const clean = await report("--weeks", "0");
      const cleanJson = JSON.parse((await report("--json")).stdout) as unknown;
      const calendar = "SELECT * FROM weeks ORDER BY week_start";
      const cleanWeeks = await warehouse.rows(calendar);
      await loadAsOlderVersionAt(warehouse.args, { posts: [ANCIENT_POST], votes: [DISTANT_VOTE] });
      // The weekly totals hold the two weeks outside the window; the calendar tables written from
      // them (schema 7) leave those weeks out, as the report does, so they stay as they were.
      expect(
        await warehouse.rows(
          `SELECT week_start FROM (
             SELECT week_start FROM weekly_vote_totals WHERE week_start > '9000'
             UNION ALL SELECT week_start FROM weekly_post_totals WHERE week_start < '2000'
           ) ORDER BY week_start DESC`,
        ),
      ).toEqual([{ week_start: "9999-12-27" }, { week_start: "0001-01-01" }]);
      const thisWeek = weekOf(new Date().toISOString());
      const [span] = await warehouse.rows(
        "SELECT min(week_start) AS a, max(week_start) AS z FROM weeks",
      );
      expect(String(span?.a) >= "2007-12-31").toBe(true);
      expect(String(span?.z) <= thisWeek).toBe(true);
      expect(await warehouse.rows(calendar)).toEqual(cleanWeeks);

      const text = await report("--weeks", "0");

      expect(text.stderr).toBe("");
      expect(text.code).toBe(0);
      const today = new Date().toISOString().slice(0, 10);
      const note =
        `note: the warehouse holds timestamps outside 2008-01-01 to ${today}, loaded by an older stackhouse; ` +
        "the weeks cover only that span, leaving out 1 vote(s) and 1 post(s) dated outside it; " +
        "stackhouse check lists them, and stackhouse rebuild quarantines them";
      expect(text.stdout).toBe(`${note}\n${clean.stdout}`);
      expect(text.stdout.split("\n").length).toBeLessThan(MAX_REPORT_LINES);

      const json = JSON.parse((await report("--json")).stdout) as unknown;
      expect(json).toEqual({
        ...(cleanJson as object),
        outOfWindow: { from: "2008-01-01", to: today, votes: 1, posts: 1 },
      });

      const html = join(dir, "report.html");
      const page = await report("--html", html);
      expect(page.stderr).toBe("");
      expect(page.code).toBe(0);
      expect(statSync(html).size).toBeLessThan(MAX_HTML_BYTES);
      expect(readFileSync(html, "utf8")).toContain(
        `Note: the warehouse holds timestamps outside 2008-01-01 to ${today}`,
      );
    });
  }
});

describe("absurd but valid dates (issue 11, item 11)", () => {
  it("prints a table of any length without a stack overflow", () => {
    const rows = Array.from({ length: 600_000 }, (_, index) => [index]);
    expect(formatTable(["week"], rows).split("\n")).toHaveLength(600_002);
  });
});

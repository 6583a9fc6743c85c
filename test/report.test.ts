import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { launchChromium, needChromium } from "./helpers/chromium.js";
import { generated } from "./helpers/deliveries.js";
import { cli, generatedWarehouse } from "./helpers/fixtures.js";
import { tempDir } from "./helpers/temp-dir.js";
import { queryRows } from "./helpers/warehouse-dump.js";

/** Runs in the page: what each chart holds, and how many of its canvas's pixels it painted. */
const INSPECT_CHARTS = `window.stackhouseReport.charts.map((chart) => {
  const canvas = chart.canvas;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let index = 3; index < pixels.length; index += 4) if (pixels[index] > 0) painted++;
  return {
    title: chart.options.plugins.title.text,
    labels: chart.data.labels,
    datasets: chart.data.datasets.map((set) => ({ label: set.label, data: set.data, drawn: chart.getDatasetMeta(chart.data.datasets.indexOf(set)).data.length })),
    axes: { x: chart.scales.x.options.title.text, y: chart.scales.y.options.title.text, type: chart.scales.y.type, min: chart.scales.y.min },
    painted,
  };
})`;

interface DrawnChart {
  title: string;
  labels: string[];
  datasets: { label: string; data: number[]; drawn: number }[];
  axes: { x: string; y: string; type: string; min: number };
  painted: number;
}

/** Opens a report page in Chromium, offline, and returns what its charts drew and its notes. */
async function drawnCharts(html: string): Promise<{ charts: DrawnChart[]; notes: string[] }> {
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage();
    const failed: string[] = [];
    tab.on("pageerror", (error) => failed.push(error.message));
    const network: string[] = [];
    await tab.route("**/*", async (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      network.push(url);
      return route.abort();
    });
    await tab.goto(pathToFileURL(html).href);
    await tab.waitForFunction('"stackhouseReport" in window');
    const charts = await tab.evaluate<DrawnChart[]>(INSPECT_CHARTS);
    const notes = await tab.locator("p.note").allTextContents();
    expect(failed).toEqual([]);
    expect(network).toEqual([]);
    return { charts, notes };
  } finally {
    await browser.close();
  }
}

describe("stackhouse report", () => {
  it("prints both definitions over full weeks and the latest weeks with bars", async () => {
    const { db } = await generatedWarehouse();
    const result = await cli("report", "--db", db, "--weeks", "4");
    expect(result.code).toBe(0);
    const [full] = queryRows(
      db,
      "SELECT avg(mean_votes_per_post) AS mean, count(*) AS weeks FROM weekly_votes WHERE is_partial = 0",
    );
    expect(result.stdout).toContain("What is the mean votes per post per week?");
    expect(result.stdout).toMatch(
      new RegExp(
        `per voted post: votes / posts voted that week\\s+all\\s+${Number(full?.mean).toFixed(2)}\\s`,
      ),
    );
    expect(result.stdout).toContain("Latest 4 of");
    expect(result.stdout).toMatch(/█/);
  });

  it("names both means, says which votes count, and scales the bars by full weeks", async () => {
    const { db } = await generatedWarehouse();
    const result = await cli("report", "--db", db, "--weeks", "0");
    const [full] = queryRows(
      db,
      `SELECT CAST(sum(votes) AS REAL) / sum(posts_voted) AS pooled, sum(votes) AS votes,
         sum(upvotes) AS up, sum(downvotes) AS down
       FROM weekly_votes_all_weeks WHERE is_partial = 0 AND votes > 0`,
    );
    expect(result.stdout).toMatch(
      /definition\s+votes\s+mean of weekly ratios\s+pooled ratio\s+median/,
    );
    expect(result.stdout).toMatch(
      new RegExp(
        `per voted post: votes / posts voted that week\\s+all\\s+\\S+\\s+${Number(full?.pooled).toFixed(2)}\\s`,
      ),
    );
    const count = (n: unknown) => Number(n).toLocaleString("en-US");
    expect(result.stdout).toContain(
      `- Votes are every vote type: of the ${count(full?.votes)} votes in the full weeks, ${count(full?.up)} are up-votes and ${count(full?.down)} down-votes;`,
    );
    expect(result.stdout).toContain(
      "- Per live post counts every vote, including votes on posts the warehouse does not hold (the votes_orphaned check counts them), but divides by the posts it holds",
    );
    const rows = result.stdout.split("\n").filter((line) => /^\d{4}-\d\d-\d\d/.test(line));
    expect(rows.filter((line) => line.includes("*")).every((line) => !line.includes("█"))).toBe(
      true,
    );
    expect(rows.filter((line) => line.includes("████████████████ ")).length).toBeGreaterThan(0);
  });

  it("gives the answer over up- and down-votes beside the one over all votes, and draws it with --votes updown", async () => {
    const { db } = await generatedWarehouse();
    const [updown] = queryRows(
      db,
      `SELECT avg(CAST(upvotes + downvotes AS REAL) / updown_posts_voted) AS mean,
         CAST(sum(upvotes + downvotes) AS REAL) / sum(updown_posts_voted) AS pooled
       FROM weekly_votes_all_weeks WHERE is_partial = 0 AND updown_posts_voted > 0`,
    );
    const [grouped] = queryRows(
      db,
      `SELECT count(DISTINCT post_id) AS posts FROM votes
       WHERE vote_type_id IN (2, 3) AND date(creation_date, 'weekday 0', '-6 days') = (
         SELECT max(week_start) FROM weekly_votes_all_weeks WHERE is_partial = 0)`,
    );
    const [stored] = queryRows(
      db,
      "SELECT updown_posts_voted AS posts FROM weekly_votes_all_weeks WHERE week_start = (SELECT max(week_start) FROM weekly_votes_all_weeks WHERE is_partial = 0)",
    );
    expect(stored).toEqual(grouped);
    const result = await cli("report", "--db", db, "--votes", "updown", "--weeks", "3");
    expect(result.stdout).toMatch(
      new RegExp(
        `per voted post: votes / posts voted that week\\s+up and down\\s+${Number(updown?.mean).toFixed(2)}\\s+${Number(updown?.pooled).toFixed(2)}\\s`,
      ),
    );
    expect(result.stdout).toMatch(/per voted post: votes \/ posts voted that week\s+all\s+/);
    expect(result.stdout).toContain("Latest 3 of");
    expect(result.stdout).toContain("weeks, up- and down-votes only");
    expect(result.stdout).toMatch(/week_start\s+updown votes\s+updown_posts_voted/);
    const wrong = await cli("report", "--db", db, "--votes", "some");
    expect(wrong.stderr).toBe(
      "stackhouse: option '--votes <which>' argument 'some' is invalid. choose one of all, updown. (see --help)\n",
    );
  });

  it("gives the answer and the whole series as JSON", async () => {
    const { db } = await generatedWarehouse();
    const answer = JSON.parse((await cli("report", "--db", db, "--json")).stdout) as {
      series: unknown[];
      perVotedPost: { mean: number };
    };
    const [weeks] = queryRows(db, "SELECT count(*) AS n FROM weeks");
    expect(answer.series).toHaveLength(Number(weeks?.n));
    expect(answer.perVotedPost.mean).toBeGreaterThan(1);
  });

  it("draws each definition on its own linear panel, full weeks only, with a rolling and an overall mean", async (context) => {
    needChromium(context);
    const { dir, db } = await generatedWarehouse();
    const html = join(dir, "report.html");
    expect((await cli("report", "--db", db, "--html", html)).code).toBe(0);
    expect(/<script[^>]+src=|<link[^>]+href=/.test(readFileSync(html, "utf8"))).toBe(false);

    const { charts, notes } = await drawnCharts(html);

    const full = queryRows(
      db,
      "SELECT week_start, mean_votes_per_post AS voted, mean_votes_per_live_post AS live FROM weekly_votes_all_weeks WHERE is_partial = 0 ORDER BY week_start",
    );
    const partial = queryRows(
      db,
      "SELECT week_start FROM weekly_votes_all_weeks WHERE is_partial = 1",
    );
    expect(partial.length).toBeGreaterThan(0);
    expect(charts.map((chart) => [chart.title, chart.axes])).toEqual([
      [
        "Per voted post: votes / posts voted that week",
        { x: "ISO week (starting Monday, UTC)", y: "votes per voted post", type: "linear", min: 0 },
      ],
      [
        "Per live post: votes / posts existing by the week's end",
        { x: "ISO week (starting Monday, UTC)", y: "votes per live post", type: "linear", min: 0 },
      ],
    ]);
    for (const [chart, column] of [
      [charts[0], "voted"],
      [charts[1], "live"],
    ] as const) {
      const weeks = full.filter((week) => week[column] !== null);
      expect(chart?.labels).toEqual(weeks.map((week) => week.week_start));
      const [weekly, rolling, mean] = chart?.datasets ?? [];
      expect(weekly?.data).toEqual(weeks.map((week) => week[column]));
      expect(weekly?.drawn).toBe(weeks.length);
      const values = weeks.map((week) => Number(week[column]));
      const last8 = values.slice(-8);
      expect(rolling?.label).toBe("8-week rolling mean");
      expect(rolling?.data.at(-1)).toBeCloseTo(last8.reduce((a, b) => a + b, 0) / last8.length, 12);
      const overall = values.reduce((a, b) => a + b, 0) / values.length;
      expect(new Set(mean?.data)).toEqual(new Set([overall]));
      expect(mean?.label).toMatch(/^mean of weekly ratios /);
      expect(chart?.painted).toBeGreaterThan(5000);
    }
    expect(notes[0]).toContain(`week ${String(partial[0]?.week_start)}`);
  });

  it("draws no empty panel: a warehouse of votes alone has no per-live-post chart, and says why", async (context) => {
    needChromium(context);
    const dir = await tempDir();
    const db = join(dir, "w.db");
    expect((await cli("--db", db, (await generated(dir)).votes)).code).toBe(0);
    const html = join(dir, "report.html");
    expect((await cli("report", "--db", db, "--html", html)).code).toBe(0);

    const { charts, notes } = await drawnCharts(html);

    expect(charts.map((chart) => chart.title)).toEqual([
      "Per voted post: votes / posts voted that week",
    ]);
    expect(notes).toContain(
      "No chart for per live post: no posts in the warehouse, so there is nothing to divide by.",
    );
  });
});

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { cli, generatedWarehouse } from "./helpers/fixtures.js";
import { queryRows } from "./helpers/warehouse-dump.js";

const CHROMIUM = process.env.STACKHOUSE_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Runs in the page: what the chart holds, and how many of the canvas's pixels it painted. */
const INSPECT_CHART = `(() => {
  const { chart, weeks } = window.stackhouseReport;
  const canvas = document.querySelector("canvas");
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let index = 3; index < pixels.length; index += 4) if (pixels[index] > 0) painted++;
  return {
    weeks: weeks.length,
    labels: chart.data.labels.length,
    points: [chart.getDatasetMeta(0).data.length, chart.getDatasetMeta(1).data.length],
    painted,
  };
})()`;

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
        `per voted post: votes / posts voted that week\\s+${Number(full?.mean).toFixed(2)}\\s`,
      ),
    );
    expect(result.stdout).toContain("Latest 4 of");
    expect(result.stdout).toMatch(/█/);
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

  it("writes a self-contained HTML page whose chart draws every week in a real browser", async (context) => {
    if (!existsSync(CHROMIUM)) {
      if (process.env.STACKHOUSE_REQUIRE_BROWSER === "1")
        throw new Error(`no Chromium at ${CHROMIUM}`);
      console.warn(
        `SKIPPED: no Chromium at ${CHROMIUM} (install Debian's chromium, or set STACKHOUSE_CHROMIUM)`,
      );
      context.skip();
    }
    const { dir, db } = await generatedWarehouse();
    const html = join(dir, "report.html");
    expect((await cli("report", "--db", db, "--html", html)).code).toBe(0);
    expect(/<script[^>]+src=|<link[^>]+href=/.test(readFileSync(html, "utf8"))).toBe(false);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
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
      const drawn = await tab.evaluate<{
        weeks: number;
        labels: number;
        points: number[];
        painted: number;
      }>(INSPECT_CHART);
      const [weeks] = queryRows(db, "SELECT count(*) AS n FROM weeks");
      expect(drawn.weeks).toBe(Number(weeks?.n));
      expect(drawn.labels).toBe(drawn.weeks);
      expect(drawn.points).toEqual([drawn.weeks, drawn.weeks]);
      expect(drawn.painted).toBeGreaterThan(5000);
      expect(failed).toEqual([]);
      expect(network).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

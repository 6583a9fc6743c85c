import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { launchChromium, needChromium } from "../helpers/chromium.js";
import { SQLITE, type TestWarehouse } from "../helpers/engines.js";
import { cli, fileWith } from "../helpers/fixtures.js";
import { serveWarehouse, SQLITE_RUNAWAY, type TestServer } from "../helpers/serve.js";
import { tempDir } from "../helpers/temp-dir.js";

/** A post body that runs script wherever it is rendered as markup. */
const HOSTILE =
  '<script>window.pwned = "script"</script><img src="x" onerror="window.pwned = \'img\'"><b>bold</b>';

/** Three posts (one hostile) and votes over six weeks. */
async function hostileWarehouse(): Promise<TestWarehouse> {
  const dir = await tempDir();
  const post = (id: number, body: string): string =>
    JSON.stringify({
      Id: String(id),
      PostTypeId: "1",
      CreationDate: "2021-01-04T10:00:00.000",
      Score: "1",
      Body: body,
      LastActivityDate: "2021-01-04T10:00:00.000",
      Title: `Question ${String(id)}`,
      Tags: "<ci>",
      CommentCount: "0",
      ContentLicense: "CC BY-SA 4.0",
    });
  const votes = Array.from({ length: 24 }, (_, index) =>
    JSON.stringify({
      Id: String(index + 1),
      PostId: String((index % 3) + 1),
      VoteTypeId: "2",
      CreationDate: `2021-0${String(1 + Math.floor(index / 12))}-${String(10 + (index % 12)).padStart(2, "0")}T00:00:00.000`,
    }),
  );
  const postsFile = await fileWith(
    dir,
    "Posts.json",
    `[${[post(1, "<p>plain</p>"), post(2, HOSTILE), post(3, "<p>three</p>")].join("\n,")}]`,
  );
  const votesFile = await fileWith(dir, "Votes.json", `[${votes.join("\n,")}]`);
  const warehouse = await SQLITE.fresh(join(dir, "warehouse"));
  const result = await cli(...warehouse.args, postsFile, votesFile, "--no-checks");
  expect(result.code, result.stderr).toBe(0);
  return warehouse;
}

/** What a page did that it must not: script errors, CSP violations, requests off the server. */
interface Watch {
  readonly problems: string[];
}

/** A page of the server in a browser of its own; `close` ends the browser. */
interface OpenPage {
  readonly tab: Page;
  readonly watch: Watch;
  readonly close: () => Promise<void>;
}

async function openPage(server: TestServer, path: string): Promise<OpenPage> {
  const browser = await launchChromium();
  const tab = await browser.newPage({ acceptDownloads: true });
  const watch: Watch = { problems: [] };
  tab.on("pageerror", (error) => watch.problems.push(`error: ${error.message}`));
  tab.on("console", (message) => {
    // A refused query is a 400 the page shows as its error line; anything else is a problem.
    const refused = message.text().endsWith("status of 400 (Bad Request)");
    if (message.type() === "error" && !refused) watch.problems.push(`console: ${message.text()}`);
  });
  tab.on("dialog", (dialog) => watch.problems.push(`dialog: ${dialog.message()}`));
  await tab.route("**/*", async (route) => {
    if (route.request().url().startsWith(server.url)) return route.continue();
    watch.problems.push(`request: ${route.request().url()}`);
    return route.abort();
  });
  const response = await tab.goto(new URL(path, server.url).href);
  expect(response?.headers()["content-security-policy"]).toMatch(
    /^default-src 'none'; script-src 'self';/,
  );
  return { tab, watch, close: () => browser.close() };
}

async function runQuery(tab: Page, sql: string): Promise<void> {
  await tab.waitForSelector("#examples li");
  await tab.fill("#sql", sql);
  await tab.press("#sql", "Control+Enter");
  await tab.waitForSelector("#run:not([disabled])");
}

/** What the page's chart holds, and how many of its canvas's pixels it painted. */
interface DrawnChart {
  readonly labels: string[];
  readonly values: number[];
  readonly type: string;
  readonly painted: number;
  /** The column charted up the y axis, and where that axis starts. */
  readonly y: string;
  readonly yMin: number;
}

/** Runs in the page (as DevTools would: the page's CSP allows no eval of its own). */
const INSPECT_CHART = `(() => {
  const chart = window.stackhouseQuery.chart;
  const canvas = chart.canvas;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let index = 3; index < pixels.length; index += 4) if (pixels[index] > 0) painted++;
  return { labels: chart.data.labels, values: chart.data.datasets[0].data, type: chart.config.type, painted, y: chart.data.datasets[0].label, yMin: chart.scales.y.min };
})()`;

/** The grid as text, header first. */
function gridText(tab: Page): Promise<string[][]> {
  return tab.evaluate<string[][]>(
    `[...document.querySelectorAll("#grid tr")].map((row) => [...row.children].map((cell) => cell.textContent))`,
  );
}

describe("stackhouse serve in Chromium", () => {
  it("runs a query, draws the grid and the chart, and renders a hostile post body as text", async (context) => {
    needChromium(context);
    const server = await serveWarehouse(await hostileWarehouse());
    const { tab, watch, close } = await openPage(server, "/");
    try {
      await runQuery(tab, "SELECT id, title, body FROM posts ORDER BY id");
      const grid = await gridText(tab);
      expect(grid).toEqual([
        ["id", "title", "body"],
        ["1", "Question 1", "<p>plain</p>"],
        ["2", "Question 2", HOSTILE],
        ["3", "Question 3", "<p>three</p>"],
      ]);
      const tags = await tab.evaluate<string[]>(
        `[...new Set([...document.querySelectorAll("#grid *")].map((element) => element.tagName))]`,
      );
      expect(tags.sort()).toEqual(["TBODY", "TD", "TH", "THEAD", "TR"]);
      expect(await tab.evaluate<unknown>("window.pwned")).toBeUndefined();
      expect(await tab.textContent("#status")).toMatch(/^3 rows · \d+ ms$/);

      // Charted, the bodies are the x axis's labels: drawn on the canvas as text.
      await runQuery(tab, "SELECT body, score FROM posts ORDER BY id");
      const labels = await tab.evaluate<DrawnChart>(INSPECT_CHART);
      expect(labels.labels).toEqual(["<p>plain</p>", HOSTILE, "<p>three</p>"]);
      expect(await tab.evaluate<unknown>("window.pwned")).toBeUndefined();

      await runQuery(tab, "SELECT week_start, votes FROM weekly_votes ORDER BY week_start");
      const chart = await tab.evaluate<DrawnChart>(INSPECT_CHART);
      const weeks = await server.get(
        "/api/query?sql=" +
          encodeURIComponent("SELECT week_start, votes FROM weekly_votes ORDER BY week_start"),
      );
      const expected = (JSON.parse(weeks.text) as { rows: [string, number][] }).rows;
      expect(chart.labels).toEqual(expected.map(([week]) => week));
      expect(chart.values).toEqual(expected.map(([, votes]) => votes));
      expect(chart.type).toBe("line");
      expect(chart.painted).toBeGreaterThan(1000);
      await tab.selectOption("#chart-type", "bar");
      expect((await tab.evaluate<DrawnChart>(INSPECT_CHART)).type).toBe("bar");

      // A worked question's shape: counts, then the answer, newest week first. The answer is
      // charted, from zero, oldest week on the left.
      await tab.selectOption("#chart-type", "line");
      await runQuery(
        tab,
        "SELECT week_start, votes, posts_voted, mean_votes_per_post FROM weekly_votes ORDER BY week_start DESC",
      );
      const answer = await tab.evaluate<DrawnChart>(INSPECT_CHART);
      expect(answer.y).toBe("mean_votes_per_post");
      expect(answer.labels).toEqual(expected.map(([week]) => week));
      expect(answer.yMin).toBe(0);
      expect((await gridText(tab))[1]?.[0]).toBe(expected.at(-1)?.[0]);
      expect(watch.problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it("pages through a result, downloads every row as CSV, and follows a shared link", async (context) => {
    needChromium(context);
    const warehouse = await hostileWarehouse();
    const server = await serveWarehouse(warehouse, { pageRows: 5 });
    const { tab, watch, close } = await openPage(server, "/");
    try {
      const sql = "SELECT id, post_id, creation_date FROM votes ORDER BY id";
      await runQuery(tab, sql);
      expect(await tab.textContent("#status")).toMatch(/^rows 1–5, more follow · /);
      // Pages are of the query that ran, even once the editor holds another.
      await tab.fill("#sql", "SELECT 1");
      await tab.click("#next");
      await tab.waitForSelector("#status:text-matches('^rows 6–10')");
      expect((await gridText(tab))[1]?.[0]).toBe("6");

      const [download] = await Promise.all([
        tab.waitForEvent("download"),
        tab.click("#download-csv"),
      ]);
      const saved = join(await tempDir(), "download.csv");
      await download.saveAs(saved);
      const csv = await readFile(saved, "utf8");
      expect(csv).toBe((await cli("query", sql, ...warehouse.args, "--format", "csv")).stdout);
      expect(csv.trimEnd().split("\n")).toHaveLength(25);

      const link = await tab.getAttribute("#share", "href");
      expect(link).toContain("page=2");
      const shared = await openPage(server, link ?? "");
      try {
        await shared.tab.waitForSelector("#status:text-matches('^rows 6–10')");
        expect(await shared.tab.inputValue("#sql")).toBe(sql);
        expect(await gridText(shared.tab)).toEqual(await gridText(tab));
        expect(shared.watch.problems).toEqual([]);
      } finally {
        await shared.close();
      }
      expect(watch.problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it("shows a worked question in one click, errors as one line, the weekly answer and the schema", async (context) => {
    needChromium(context);
    const server = await serveWarehouse(await hostileWarehouse());
    const { tab, watch, close } = await openPage(server, "/");
    try {
      // A runaway query can be stopped from the page, and Back returns to the query before.
      await runQuery(tab, "SELECT count(*) AS posts FROM posts");
      await tab.fill("#sql", SQLITE_RUNAWAY.silent);
      await tab.press("#sql", "Control+Enter");
      await tab.click("#stop");
      expect(await tab.textContent("#error")).toBe("Stopped.");
      expect(await tab.isEnabled("#run")).toBe(true);
      await runQuery(tab, "SELECT count(*) AS votes FROM votes");
      await tab.goBack();
      await tab.waitForSelector("#grid th:text-is('posts')");
      expect(await tab.inputValue("#sql")).toBe("SELECT count(*) AS posts FROM posts");

      await runQuery(tab, "SELEC 1");
      expect(await tab.textContent("#error")).toBe('SQL error: near "SELEC": syntax error');
      await tab.click("#examples li:first-child a");
      await tab.waitForSelector("#grid tbody tr");
      expect(await tab.inputValue("#sql")).toContain("FROM weekly_votes");
      expect(await tab.isHidden("#error")).toBe(true);

      await tab.click("text=Weekly answer");
      await tab.waitForSelector("canvas#panel-1");
      // The canvases are in the page before its chart script has drawn on them.
      await tab.waitForFunction('"stackhouseReport" in window');
      const panels = await tab.evaluate<number>("window.stackhouseReport.charts.length");
      expect(panels).toBeGreaterThanOrEqual(2);

      await tab.click("text=Schema");
      await tab.waitForSelector("#posts p");
      expect(await tab.textContent("#posts p")).toContain("One row per live post");
      expect(watch.problems).toEqual([]);
    } finally {
      await close();
    }
  });
});

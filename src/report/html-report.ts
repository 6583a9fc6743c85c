import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { answerNotes } from "../analysis/answer-notes.js";
import { chartPanels, ROLLING_WEEKS } from "../analysis/chart-panels.js";
import { describeOutOfWindow } from "../analysis/weekly-calendar.js";
import type { VoteSet } from "../analysis/definitions.js";
import type { MetricSummary, WeeklyAnswer } from "../analysis/weekly-series.js";

const CHART_JS_FILE = "chart.umd.min.js";

const REPORT_STYLE = `
  body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }
  table { border-collapse: collapse; margin: 1rem 0; }
  th, td { padding: 0.25rem 0.75rem; border-bottom: 1px solid #ddd; text-align: right; }
  th[scope="row"], thead th:first-child { text-align: left; }
  small, .note { color: #666; }
  td small { white-space: nowrap; }
  figure { margin: 1.5rem 0; }
`;

/** Chart.js's browser build, read from the installed package so the page needs no network. */
function chartJsSource(): string {
  const entry = createRequire(import.meta.url).resolve("chart.js");
  return readFileSync(join(dirname(entry), CHART_JS_FILE), "utf8");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${String(char.charCodeAt(0))};`);
}

/** JSON that is safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028|\u2029/g, "");
}

function summaryRow(label: string, votes: string, summary: MetricSummary, digits: number): string {
  const cell = (value: number | null | undefined): string =>
    value === null || value === undefined ? "–" : value.toFixed(digits);
  const extreme = (point: MetricSummary["lowest"]): string =>
    point === null ? "–" : `${cell(point.value)} <small>(${point.week_start})</small>`;
  return `<tr><th scope="row">${label}</th><td>${votes}</td><td>${cell(summary.mean)}</td><td>${cell(summary.pooled)}</td><td>${cell(summary.median)}</td><td>${extreme(summary.lowest)}</td><td>${extreme(summary.highest)}</td><td>${String(summary.weeks)}</td></tr>`;
}

/** Draws each panel: the weekly values, their rolling mean and the overall mean, on a linear axis. */
const CHART_SCRIPT = `
const figures = JSON.parse(document.getElementById("chart-data").textContent);
const charts = figures.panels.map((panel, index) => new Chart(document.getElementById("panel-" + index), {
  type: "line",
  data: {
    labels: panel.weeks,
    datasets: [
      { label: "weekly", data: panel.values, borderColor: "#6baed6", backgroundColor: "#6baed6", borderWidth: 1, pointRadius: 1.5 },
      { label: figures.rollingWeeks + "-week rolling mean", data: panel.rolling, borderColor: "#08519c", backgroundColor: "#08519c", borderWidth: 2.5, pointRadius: 0 },
      { label: "mean of weekly ratios " + panel.mean.toFixed(panel.digits), data: panel.weeks.map(() => panel.mean), borderColor: "#d62728", backgroundColor: "#d62728", borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, pointStyle: "line" },
    ],
  },
  options: {
    animation: false,
    responsive: true,
    aspectRatio: 3,
    interaction: { mode: "index", intersect: false },
    scales: {
      x: { type: "category", title: { display: true, text: "ISO week (starting Monday, UTC)" }, ticks: { maxTicksLimit: 14, maxRotation: 0, autoSkipPadding: 24 } },
      y: { type: "linear", beginAtZero: true, title: { display: true, text: panel.unit } },
    },
    plugins: {
      title: { display: true, text: panel.title, align: "start", font: { size: 15 } },
      legend: { labels: { usePointStyle: true, pointStyle: "line" } },
      tooltip: { callbacks: { label: (item) => item.dataset.label.replace(/ [0-9.]+$/, "") + ": " + item.parsed.y.toFixed(panel.digits) } },
    },
  },
}));
window.stackhouseReport = { charts, figures };
`;

/**
 * The report's style and scripts as files, for a page that links them rather than inlining them
 * (`stackhouse serve`, whose Content-Security-Policy allows no inline script).
 *
 * @example
 * const css = reportAssets()["report.css"];
 */
export function reportAssets(): Readonly<Record<string, string>> {
  return {
    "report.css": REPORT_STYLE,
    "report-chart.js": CHART_SCRIPT,
    [CHART_JS_FILE]: chartJsSource(),
  };
}

/** How a report page carries its style and scripts: inside itself, or as links under a path. */
export type ReportAssets =
  | { readonly inline: true }
  | {
      readonly linkedFrom: string;
      readonly nav: readonly (readonly [href: string, text: string])[];
    };

/**
 * A self-contained HTML page with the weekly answer: the summary of both definitions over full
 * weeks, what the figures count, and a chart panel per definition (hover for a week's figures,
 * click a legend entry to hide a line). Chart.js is inlined, so the page works offline.
 *
 * @example
 * writeFileSync("report.html", renderHtmlReport(weeklyAnswer(db), { title: "warehouse.db" }));
 */
export function renderHtmlReport(
  answer: WeeklyAnswer,
  meta: { readonly title: string; readonly votes?: VoteSet },
  assets: ReportAssets = { inline: true },
): string {
  const title = escapeHtml(meta.title);
  const outside = answer.outOfWindow;
  const figures = chartPanels(answer, meta.votes);
  const voted = "per voted post: votes / posts voted that week";
  const live = "per live post: votes / posts existing by the week's end";
  const counted =
    figures.votes === "all"
      ? "The charts count all votes."
      : "The charts count up- and down-votes only.";
  const left =
    figures.partialWeeks.length === 0
      ? ""
      : ` Left out of the summary and the charts, as the data covers only part of it: week ${figures.partialWeeks.join(" and ")}.`;
  const notes = [
    ...(outside === null ? [] : [`Note: ${describeOutOfWindow(outside)}.`]),
    counted,
    ...figures.missing.map((why) => `No chart for ${why}.`),
    ...answerNotes(answer),
  ];
  const [head, scripts] =
    "inline" in assets
      ? [
          `<style>${REPORT_STYLE}</style>`,
          `<script>${chartJsSource()}</script>\n<script>${CHART_SCRIPT}</script>`,
        ]
      : [
          `<link rel="icon" href="data:,">\n<link rel="stylesheet" href="${assets.linkedFrom}report.css">`,
          `<script src="${assets.linkedFrom}${CHART_JS_FILE}"></script>\n<script src="${assets.linkedFrom}report-chart.js"></script>`,
        ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mean votes per post per week: ${title}</title>
${head}
</head>
<body>
${"nav" in assets ? `<nav>${assets.nav.map(([href, text]) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`).join(" · ")}</nav>\n` : ""}<h1>What is the mean votes per post per week?</h1>
<p class="note">${title}: ISO weeks ${escapeHtml(String(answer.firstWeek))} to ${escapeHtml(String(answer.lastWeek))}, ${String(answer.series.length)} weeks, ${String(answer.fullWeeks)} full.${escapeHtml(left)}</p>
<table>
<thead><tr><th>definition</th><th>votes</th><th>mean of weekly ratios</th><th>pooled ratio</th><th>median</th><th>lowest week</th><th>highest week</th><th>weeks</th></tr></thead>
<tbody>
${summaryRow(voted, "all", answer.perVotedPost, 2)}
${summaryRow(voted, "up and down", answer.upDown.perVotedPost, 2)}
${summaryRow(live, "all", answer.perLivePost, 4)}
${summaryRow(live, "up and down", answer.upDown.perLivePost, 4)}
</tbody>
</table>
${notes.map((note) => `<p class="note">${escapeHtml(note)}</p>`).join("\n")}
${figures.panels.map((panel, index) => `<figure><canvas id="panel-${String(index)}" role="img" aria-label="${escapeHtml(panel.title)}, by ISO week"></canvas></figure>`).join("\n")}
<script id="chart-data" type="application/json">${scriptJson({ ...figures, rollingWeeks: ROLLING_WEEKS })}</script>
${scripts}
</body>
</html>
`;
}

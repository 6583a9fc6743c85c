import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describeOutOfWindow } from "../analysis/weekly-calendar.js";
import type { MetricSummary, WeeklyAnswer } from "../analysis/weekly-series.js";

const CHART_JS_FILE = "chart.umd.min.js";

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

function summaryRow(label: string, summary: MetricSummary, digits: number): string {
  const cell = (value: number | null | undefined): string =>
    value === null || value === undefined ? "–" : value.toFixed(digits);
  const extreme = (point: MetricSummary["lowest"]): string =>
    point === null ? "–" : `${cell(point.value)} <small>(${point.week_start})</small>`;
  return `<tr><th scope="row">${label}</th><td>${cell(summary.mean)}</td><td>${cell(summary.median)}</td><td>${extreme(summary.lowest)}</td><td>${extreme(summary.highest)}</td><td>${String(summary.weeks)}</td></tr>`;
}

const CHART_SCRIPT = `
const report = JSON.parse(document.getElementById("weekly-data").textContent);
const weeks = report.series;
const partial = weeks.map((w) => w.is_partial === 1);
const series = (label, field, axis, color) => ({
  label,
  data: weeks.map((w) => w[field]),
  yAxisID: axis,
  borderColor: color,
  backgroundColor: color,
  pointRadius: partial.map((p) => (p ? 5 : 1.5)),
  pointStyle: partial.map((p) => (p ? "crossRot" : "circle")),
});
const chart = new Chart(document.getElementById("weekly-chart"), {
  type: "line",
  data: {
    labels: weeks.map((w) => w.week_start),
    datasets: [
      series("per voted post (votes / posts voted that week)", "mean_votes_per_post", "perVoted", "#1f77b4"),
      series("per live post (votes / posts existing by the week's end)", "mean_votes_per_live_post", "perLive", "#ff7f0e"),
    ],
  },
  options: {
    animation: false,
    responsive: true,
    interaction: { mode: "index", intersect: false },
    scales: {
      perVoted: { type: "linear", position: "left", title: { display: true, text: "votes per voted post" } },
      perLive: { type: "logarithmic", position: "right", title: { display: true, text: "votes per live post (log)" }, grid: { drawOnChartArea: false } },
    },
    plugins: {
      tooltip: {
        callbacks: {
          footer: (items) => {
            const w = weeks[items[0].dataIndex];
            return "votes " + w.votes + ", posts voted " + w.posts_voted + ", posts live " + w.posts_live + (w.is_partial ? " (partial week)" : "");
          },
        },
      },
    },
  },
});
window.stackhouseReport = { chart, weeks };
`;

/**
 * A self-contained HTML page with the weekly answer: the summary of both definitions over full
 * weeks and an interactive chart of the whole series (hover for a week's figures, click a legend
 * entry to hide a series). Chart.js is inlined, so the page works offline.
 *
 * @example
 * writeFileSync("report.html", renderHtmlReport(weeklyAnswer(db), { title: "warehouse.db" }));
 */
export function renderHtmlReport(answer: WeeklyAnswer, meta: { readonly title: string }): string {
  const title = escapeHtml(meta.title);
  const outside = answer.outOfWindow;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mean votes per post per week: ${title}</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }
  table { border-collapse: collapse; margin: 1rem 0; }
  th, td { padding: 0.25rem 0.75rem; border-bottom: 1px solid #ddd; text-align: right; }
  th[scope="row"], thead th:first-child { text-align: left; }
  small, .note { color: #666; }
</style>
</head>
<body>
<h1>What is the mean votes per post per week?</h1>
<p class="note">${title}: ISO weeks ${escapeHtml(String(answer.firstWeek))} to ${escapeHtml(String(answer.lastWeek))}, ${String(answer.series.length)} weeks, ${String(answer.fullWeeks)} full. The summary uses full weeks only; partial weeks are marked × in the chart.</p>
${outside === null ? "" : `<p class="note">Note: ${escapeHtml(describeOutOfWindow(outside))}.</p>\n`}<table>
<thead><tr><th>definition</th><th>mean</th><th>median</th><th>lowest week</th><th>highest week</th><th>weeks</th></tr></thead>
<tbody>
${summaryRow("per voted post: votes / posts voted that week", answer.perVotedPost, 2)}
${summaryRow("per live post: votes / posts existing by the week's end", answer.perLivePost, 4)}
</tbody>
</table>
<canvas id="weekly-chart" aria-label="Weekly mean votes per post, both definitions" role="img"></canvas>
<script id="weekly-data" type="application/json">${scriptJson(answer)}</script>
<script>${chartJsSource()}</script>
<script>${CHART_SCRIPT}</script>
</body>
</html>
`;
}

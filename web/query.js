// The query page of `stackhouse serve`. Every value from the warehouse is set as text
// (textContent), never parsed as HTML: post bodies are HTML, and are shown as such text.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { page: 1, chart: null, result: null, asked: null, running: null, sede: false };

/** The query in the editor, as the API and the shared link carry it. */
function askedNow() {
  const asked = new URLSearchParams({ sql: $("sql").value });
  if ($("sede").checked) asked.set("sede", "1");
  return asked;
}

/** The asked query's parameters for one page, or for the whole result in a format. */
function withPage(asked, page) {
  const params = new URLSearchParams(asked);
  if (page > 1) params.set("page", String(page));
  return params;
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = false;
}

/** A JSON answer, or an error with the server's one line (or the status, if it sent none). */
async function getJson(url, signal) {
  const response = await fetch(url, { signal });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

/**
 * Runs a page of a query; a newer run stops this one (its answer would be out of date). Each
 * answer shown is a step of the browser's history, so Back returns to the one before.
 */
async function run(asked, page, { record = true } = {}) {
  if ((asked.get("sql") ?? "").trim() === "") {
    showError("Write a query first.");
    return;
  }
  state.running?.abort();
  const running = new AbortController();
  state.running = running;
  const params = withPage(asked, page);
  $("error").hidden = true;
  $("run").disabled = true;
  $("stop").hidden = false;
  $("result").classList.add("stale");
  $("status").textContent = "running…";
  try {
    const result = await getJson(`/api/query?${params}&format=json`, running.signal);
    if (record && location.search !== `?${params}`) history.pushState(null, "", `/?${params}`);
    $("share").href = `/?${params}`;
    state.page = page;
    state.asked = asked;
    state.result = result;
    showResult(result);
  } catch (error) {
    if (running.signal.aborted) return;
    $("result").hidden = true;
    $("status").textContent = "";
    showError(error.message);
  } finally {
    if (state.running === running) {
      state.running = null;
      $("run").disabled = false;
      $("stop").hidden = true;
      $("result").classList.remove("stale");
    }
  }
}

/** Stops the query under way: the server stops it too once the request is gone. */
function stopRunning() {
  if (state.running === null) return;
  state.running.abort();
  state.running = null;
  $("run").disabled = false;
  $("stop").hidden = true;
  $("result").classList.remove("stale");
  showError("Stopped.");
}

function showResult(result) {
  $("result").hidden = false;
  const last = result.first_row + result.rows.length - 1;
  const rows =
    result.rows.length === 0
      ? "no rows"
      : result.more
        ? `rows ${result.first_row}–${last}, more follow`
        : result.first_row === 1
          ? `${last} row${last === 1 ? "" : "s"}`
          : `rows ${result.first_row}–${last} of ${last}`;
  $("status").textContent = `${rows} · ${result.elapsed_ms} ms`;
  for (const suffix of ["", "-bottom"]) {
    $(`previous${suffix}`).disabled = result.page <= 1;
    $(`next${suffix}`).disabled = !result.more;
  }
  for (const format of ["csv", "json", "parquet"]) {
    const params = withPage(state.asked, 1);
    params.set("format", format);
    params.set("download", "1");
    $(`download-${format}`).href = `/api/query?${params}`;
  }
  drawGrid(result);
  setUpChart(result);
}

function drawGrid(result) {
  const head = document.createElement("tr");
  for (const column of result.columns) {
    const cell = document.createElement("th");
    cell.textContent = column;
    head.append(cell);
  }
  $("grid").tHead.replaceChildren(head);
  const body = result.rows.map((row) => {
    const line = document.createElement("tr");
    for (const value of row) {
      const cell = document.createElement("td");
      if (value === null) {
        cell.className = "null";
        cell.textContent = "NULL";
      } else {
        cell.textContent = String(value);
        if (typeof value === "number") cell.className = "number";
        if (typeof value === "string" && value.length > 60) cell.title = value.slice(0, 2000);
      }
      line.append(cell);
    }
    return line;
  });
  $("grid").tBodies[0].replaceChildren(...body);
}

/** Columns whose values on this page are all numbers (NULLs aside), by index. */
function numericColumns(result) {
  return result.columns
    .map((_, index) => index)
    .filter((index) => {
      const values = result.rows.map((row) => row[index]).filter((value) => value !== null);
      return values.length > 0 && values.every((value) => typeof value === "number");
    });
}

function option(select, value, text) {
  const element = document.createElement("option");
  element.value = String(value);
  element.textContent = text;
  select.append(element);
}

function setUpChart(result) {
  const numeric = numericColumns(result);
  const chartable = numeric.length > 0 && result.rows.length > 1;
  $("chart-note").hidden = chartable;
  $("chart-note").textContent = chartable
    ? ""
    : "Nothing to chart: a chart needs two rows or more and a column of numbers.";
  $("chart-controls").hidden = !chartable;
  $("chart").hidden = !chartable;
  if (!chartable) {
    state.chart?.destroy();
    state.chart = null;
    return;
  }
  $("chart-x").replaceChildren();
  $("chart-y").replaceChildren();
  result.columns.forEach((column, index) => option($("chart-x"), index, column));
  numeric.forEach((index) => option($("chart-y"), index, result.columns[index]));
  // A ratio (a mean, a share, a rate) goes up the y axis if there is one, else the first
  // measure rather than an id: the worked questions end in their answer, after its counts.
  const isId = (index) => /(^|_)id$/i.test(result.columns[index]);
  const isRatio = (index) =>
    /(^|_)(mean|avg|ratio|rate|pct|share|per)(_|$)/i.test(result.columns[index]);
  const y =
    numeric.find((index) => index !== 0 && isRatio(index)) ??
    numeric.find((index) => index !== 0 && !isId(index)) ??
    numeric.find((index) => index !== 0) ??
    numeric[0];
  $("chart-x").value = "0";
  $("chart-y").value = String(y);
  drawChart();
}

/**
 * True for dates that fall from first to last (a query sorted newest first), or numbers in a
 * column named for a time (a year, a week number).
 */
function fallingTimes(values, column) {
  const timeColumn = /(^|_)(year|week|month|day|date|time)(_|$)/i.test(column);
  const timeLike = (value) =>
    (typeof value === "number" && timeColumn) ||
    (typeof value === "string" && /^\d{4}-\d{2}/.test(value));
  return (
    values.length > 1 &&
    values.every((value, index) => timeLike(value) && (index === 0 || value < values[index - 1]))
  );
}

function drawChart() {
  const result = state.result;
  const x = Number($("chart-x").value);
  const y = Number($("chart-y").value);
  // Time runs left to right: rows sorted newest first are charted oldest first.
  const rows = fallingTimes(
    result.rows.map((row) => row[x]),
    result.columns[x],
  )
    ? [...result.rows].reverse()
    : result.rows;
  state.chart?.destroy();
  state.chart = new Chart($("chart"), {
    type: $("chart-type").value,
    data: {
      labels: rows.map((row) => (row[x] === null ? "NULL" : String(row[x]))),
      datasets: [
        {
          label: result.columns[y],
          data: rows.map((row) => row[y]),
          borderColor: "#08519c",
          backgroundColor: "#6baed6",
          pointRadius: 1.5,
        },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      aspectRatio: 4,
      scales: {
        x: { title: { display: true, text: result.columns[x] }, ticks: { maxTicksLimit: 14 } },
        y: { beginAtZero: true, title: { display: true, text: result.columns[y] } },
      },
    },
  });
  window.stackhouseQuery.chart = state.chart;
}

async function showExamples() {
  const examples = await getJson("/api/examples");
  const items = examples.map((example) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.textContent = example.title;
    link.href = `/?${new URLSearchParams({ sql: example.sql })}`;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      $("sql").value = example.sql;
      $("sede").checked = false;
      void run(askedNow(), 1);
    });
    item.append(link);
    return item;
  });
  $("examples").replaceChildren(...items);
}

/** Shows the query the address carries (a shared link, or a step back in history), if any. */
async function showLocation() {
  const shared = new URLSearchParams(location.search);
  $("sql").value = shared.get("sql") ?? "SELECT * FROM weekly_votes ORDER BY week_start";
  $("sede").checked = state.sede && shared.get("sede") === "1";
  if (shared.has("sql")) {
    await run(askedNow(), Number(shared.get("page") ?? "1") || 1, { record: false });
  }
}

async function start() {
  window.stackhouseQuery = { chart: null };
  const info = await getJson("/api/info");
  $("warehouse").textContent = `${info.warehouse} (${info.engine})`;
  $("sede-label").hidden = !info.sede;
  $("query-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void run(askedNow(), 1);
  });
  $("sql").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void run(askedNow(), 1);
    }
  });
  // Pages of the query that was run, even if the editor has changed since.
  for (const suffix of ["", "-bottom"]) {
    $(`previous${suffix}`).addEventListener("click", () => void run(state.asked, state.page - 1));
    $(`next${suffix}`).addEventListener("click", () => void run(state.asked, state.page + 1));
  }
  $("stop").addEventListener("click", stopRunning);
  window.addEventListener("popstate", () => void showLocation());
  for (const id of ["chart-x", "chart-y", "chart-type"]) {
    $(id).addEventListener("change", drawChart);
  }
  state.sede = info.sede;
  await showExamples();
  await showLocation();
  window.stackhouseQuery.ready = true;
}

start().catch((error) => showError(error.message));

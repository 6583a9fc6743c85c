// The schema page of `stackhouse serve`: every table and view, described from the data
// dictionary. Text only: descriptions' `code` spans become <code> elements holding text.
"use strict";

const $ = (id) => document.getElementById(id);

/** Markdown-ish text with `code` spans, as text nodes and <code> elements. */
function described(text) {
  return text.split("`").map((part, index) => {
    if (index % 2 === 0) return document.createTextNode(part.replaceAll("**", ""));
    const code = document.createElement("code");
    code.textContent = part;
    return code;
  });
}

function cell(tag, ...content) {
  const element = document.createElement(tag);
  element.append(...content);
  return element;
}

function tableSection(table) {
  const section = document.createElement("section");
  section.className = "schema-table";
  section.id = table.name;
  const heading = cell("h2", cell("code", table.name), " ", cell("span", table.kind));
  heading.lastChild.className = "kind";
  const query = document.createElement("a");
  query.textContent = "query it";
  query.href = `/?${new URLSearchParams({ sql: `SELECT * FROM ${table.name} LIMIT 100` })}`;
  section.append(heading);
  if (table.description !== "") section.append(cell("p", ...described(table.description)));
  section.append(cell("p", query));
  const rows = table.columns.map((column) =>
    cell(
      "tr",
      cell("td", cell("code", column.name)),
      cell("td", column.type),
      cell("td", ...described(column.description)),
    ),
  );
  const head = cell("tr", cell("th", "column"), cell("th", "type"), cell("th", "meaning"));
  section.append(cell("table", cell("thead", head), cell("tbody", ...rows)));
  return section;
}

async function start() {
  const [info, tables] = await Promise.all(
    ["/api/info", "/api/schema"].map(async (url) => {
      const response = await fetch(url);
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
      return body;
    }),
  );
  $("warehouse").textContent = `${info.warehouse} (${info.engine})`;
  $("tables").replaceChildren(...tables.filter((t) => t.documented).map(tableSection));
  const others = tables.filter((t) => !t.documented);
  $("other-tables").replaceChildren(...others.map(tableSection));
  $("others").hidden = others.length === 0;
  window.stackhouseSchema = { ready: true };
}

start().catch((error) => {
  $("error").textContent = error.message;
  $("error").hidden = false;
});

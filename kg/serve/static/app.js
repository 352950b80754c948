// The kikg query page: canned queries fill the editor, Run sends the editor's text to /query.
// Plain browser JavaScript, no build step and nothing fetched from other hosts.
"use strict";

const MAX_ROWS_SHOWN = 1000;
const XSD_STRING = "http://www.w3.org/2001/XMLSchema#string";

const elements = {
  list: document.getElementById("query-list"),
  catalogueStatus: document.getElementById("catalogue-status"),
  form: document.getElementById("query-form"),
  editor: document.getElementById("editor"),
  run: document.getElementById("run"),
  status: document.getElementById("status"),
  error: document.getElementById("error"),
  count: document.getElementById("result-count"),
  results: document.getElementById("results"),
  params: document.getElementById("params"),
  paramsQuery: document.getElementById("params-query"),
  paramFields: document.getElementById("param-fields"),
  applyParams: document.getElementById("apply-params"),
};

let selected = null; // the canned query shown in the editor, if any

function element(tag, properties = {}, children = []) {
  const node = document.createElement(tag);
  Object.assign(node, properties);
  for (const child of children) node.append(child);
  return node;
}

function showError(message) {
  elements.error.textContent = message;
  elements.error.hidden = !message;
}

// -- the catalogue ------------------------------------------------------------------------------

async function loadCatalogue() {
  try {
    const response = await fetch("/api/queries");
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    const queries = await response.json();
    elements.catalogueStatus.textContent = `${queries.length} quer${queries.length === 1 ? "y" : "ies"}`;
    for (const query of queries) elements.list.append(catalogueEntry(query));
  } catch (error) {
    elements.catalogueStatus.textContent = `Could not load the canned queries: ${error.message}`;
  }
}

function catalogueEntry(query) {
  const button = element("button", { type: "button", className: "query-name", textContent: query.name });
  button.dataset.query = query.name;
  button.addEventListener("click", () => selectQuery(query, button));
  const item = element("li", {}, [button, element("p", { className: "summary", textContent: query.summary })]);
  if (query.params.length) {
    const names = query.params.map((p) => `${p.name} (${p.type}${p.default !== null ? ` = ${p.default}` : ""})`);
    item.append(element("p", { className: "muted params", textContent: `Parameters: ${names.join(", ")}` }));
  }
  if (query.description) item.title = query.description;
  return item;
}

function selectQuery(query, button) {
  selected = query;
  for (const other of elements.list.querySelectorAll("button.query-name")) {
    other.classList.remove("active");
    other.removeAttribute("aria-current");
  }
  button.classList.add("active");
  button.setAttribute("aria-current", "true");
  elements.editor.value = query.text;
  elements.paramFields.replaceChildren();
  elements.params.hidden = query.params.length === 0;
  elements.paramsQuery.textContent = query.name;
  for (const parameter of query.params) {
    const id = `param-${parameter.name}`;
    const input = element("input", { id, name: parameter.name, value: parameter.default ?? "", placeholder: parameter.type });
    elements.paramFields.append(element("div", { className: "param" }, [
      element("label", { htmlFor: id, textContent: `${parameter.name} (${parameter.type})` }),
      input,
      element("span", { className: "muted", textContent: parameter.description }),
    ]));
  }
  showError("");
  elements.editor.focus();
}

async function applyParams() {
  if (!selected) return;
  const search = new URLSearchParams({ name: selected.name });
  for (const input of elements.paramFields.querySelectorAll("input")) search.set(input.name, input.value);
  const response = await fetch(`/api/bind?${search}`);
  const text = await response.text();
  if (response.ok) {
    elements.editor.value = text;
    showError("");
  } else {
    showError(text.trim());
  }
}

// -- running a query ----------------------------------------------------------------------------

async function runQuery(event) {
  event?.preventDefault();
  showError("");
  elements.run.disabled = true;
  elements.status.textContent = "Running…";
  elements.count.textContent = "";
  elements.results.replaceChildren();
  const started = performance.now();
  try {
    const response = await fetch("/query", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/sparql-results+json, application/n-triples;q=0.9",
      },
      body: new URLSearchParams({ query: elements.editor.value }),
    });
    const milliseconds = Math.round(performance.now() - started);
    if (!response.ok) {
      showError(`The server answered ${response.status}: ${(await response.text()).trim()}`);
      elements.status.textContent = "";
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("sparql-results+json")) {
      showResults(await response.json(), milliseconds);
    } else {
      showTriples(await response.text(), milliseconds);
    }
    elements.status.textContent = "";
  } catch (error) {
    showError(`The query could not be sent: ${error.message}`);
    elements.status.textContent = "";
  } finally {
    elements.run.disabled = false;
  }
}

function termCell(term) {
  const cell = element("td");
  if (!term) return cell;
  if (term.type === "uri") {
    cell.className = "iri";
    cell.textContent = term.value;
  } else if (term.type === "bnode") {
    cell.className = "bnode";
    cell.textContent = `_:${term.value}`;
  } else {
    cell.className = "literal";
    cell.textContent = term.value;
    if (term["xml:lang"]) cell.title = `@${term["xml:lang"]}`;
    else if (term.datatype && term.datatype !== XSD_STRING) cell.title = term.datatype;
    if (/#(integer|decimal|double|float|int|long|gYear)$/.test(term.datatype || "")) cell.classList.add("number");
  }
  return cell;
}

function countText(count, noun, milliseconds) {
  return `${count} ${noun}${count === 1 ? "" : "s"} (${milliseconds} ms)`;
}

function showResults(data, milliseconds) {
  if (typeof data.boolean === "boolean") {
    elements.count.textContent = `${data.boolean} (${milliseconds} ms)`;
    return;
  }
  const variables = data.head.vars;
  const rows = data.results.bindings;
  elements.count.textContent = countText(rows.length, "row", milliseconds)
    + (rows.length > MAX_ROWS_SHOWN ? `, the first ${MAX_ROWS_SHOWN} shown` : "");
  const header = element("tr", {}, variables.map((name) => element("th", { scope: "col", textContent: name })));
  const body = element("tbody");
  for (const row of rows.slice(0, MAX_ROWS_SHOWN)) {
    body.append(element("tr", {}, variables.map((name) => termCell(row[name]))));
  }
  elements.results.append(element("table", { id: "result-table" }, [element("thead", {}, [header]), body]));
}

function showTriples(text, milliseconds) {
  const lines = text.split("\n").filter((line) => line.trim());
  elements.count.textContent = countText(lines.length, "triple", milliseconds);
  elements.results.append(element("pre", { className: "triples", textContent: lines.slice(0, MAX_ROWS_SHOWN).join("\n") }));
}

elements.form.addEventListener("submit", runQuery);
elements.applyParams.addEventListener("click", applyParams);
elements.editor.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) runQuery(event);
});
loadCatalogue();

// The kikg query page: canned queries fill the editor, Run sends the editor's text to /query.
// Plain browser JavaScript, no build step and nothing fetched from other hosts.
"use strict";

const MAX_ROWS_SHOWN = 1000;
const XSD_STRING = "http://www.w3.org/2001/XMLSchema#string";
const EXPLORE_QUERY = "entity-facts"; // what clicking an IRI runs, with the IRI as its `entity`

const elements = {
  list: document.getElementById("query-list"),
  catalogueStatus: document.getElementById("catalogue-status"),
  form: document.getElementById("query-form"),
  editor: document.getElementById("editor"),
  run: document.getElementById("run"),
  status: document.getElementById("status"),
  error: document.getElementById("error"),
  warnings: document.getElementById("warnings"),
  count: document.getElementById("result-count"),
  note: document.getElementById("result-note"),
  results: document.getElementById("results"),
  params: document.getElementById("params"),
  paramsQuery: document.getElementById("params-query"),
  paramFields: document.getElementById("param-fields"),
  applyParams: document.getElementById("apply-params"),
};

const state = {
  catalogue: new Map(), // name -> canned query
  selected: null, // the canned query shown in the editor, if any
  context: { base: "", prefixes: {} }, // for compact names (GET /api/context)
  ranText: null, // the text whose results are shown
  labelsNote: "", // which columns show labels
  checking: 0, // the latest parameter check; older answers are dropped
};

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

function showWarnings(messages) {
  elements.warnings.replaceChildren(...messages.map((text) => element("p", { className: "warning", textContent: text })));
  elements.warnings.hidden = messages.length === 0;
}

// Results belong to the query that produced them: they go when the query changes.
function clearResults() {
  elements.results.replaceChildren();
  elements.results.classList.remove("stale");
  elements.count.textContent = "";
  state.labelsNote = "";
  showNote("");
  state.ranText = null;
}

// -- compact names ------------------------------------------------------------------------------

// An IRI under the data's base as its relative path (org/kicox), one of a known vocabulary as a
// CURIE (kikg:Ministry), any other in full: as `kg query` prints them on a terminal.
function compact(iri) {
  const { base, prefixes } = state.context;
  if (base && iri.startsWith(base) && iri.length > base.length) return iri.slice(base.length);
  let best = null;
  for (const [prefix, namespace] of Object.entries(prefixes)) {
    if (iri.startsWith(namespace) && (!best || namespace.length > prefixes[best].length)) best = prefix;
  }
  if (best) {
    const local = iri.slice(prefixes[best].length);
    if (local && !/[/#?]/.test(local)) return `${best}:${local}`;
  }
  return iri;
}

// -- the catalogue ------------------------------------------------------------------------------

async function loadContext() {
  try {
    const response = await fetch("/api/context");
    if (response.ok) state.context = await response.json();
  } catch (error) {
    // Full IRIs then: the page still works.
  }
}

async function loadCatalogue() {
  try {
    const response = await fetch("/api/queries");
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    const queries = await response.json();
    elements.catalogueStatus.textContent = `${queries.length} quer${queries.length === 1 ? "y" : "ies"}`;
    for (const query of queries) {
      state.catalogue.set(query.name, query);
      elements.list.append(catalogueEntry(query));
    }
  } catch (error) {
    elements.catalogueStatus.textContent = `Could not load the canned queries: ${error.message}`;
  }
}

function catalogueEntry(query) {
  const button = element("button", { type: "button", className: "query-name", textContent: query.name });
  button.dataset.query = query.name;
  button.addEventListener("click", () => selectQuery(query));
  const item = element("li", {}, [button, element("p", { className: "summary", textContent: query.summary })]);
  if (query.params.length) {
    const names = query.params.map((p) => `${p.name} (${p.type}${p.default !== null ? ` = ${p.default}` : ""})`);
    item.append(element("p", { className: "muted params", textContent: `Parameters: ${names.join(", ")}` }));
  }
  if (query.description) item.title = query.description;
  return item;
}

function selectQuery(query) {
  state.selected = query;
  for (const button of elements.list.querySelectorAll("button.query-name")) {
    const active = button.dataset.query === query.name;
    button.classList.toggle("active", active);
    if (active) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  }
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
  showWarnings([]);
  clearResults();
  checkParameters(query, {});
  elements.editor.focus();
}

function parameterValues() {
  const values = {};
  for (const input of elements.paramFields.querySelectorAll("input")) values[input.name] = input.value;
  return values;
}

async function applyParams() {
  if (!state.selected) return false;
  const query = state.selected;
  const values = parameterValues();
  clearResults();
  showWarnings([]);
  const response = await fetch(`/api/bind?${new URLSearchParams({ name: query.name, ...values })}`);
  const text = await response.text();
  if (!response.ok) {
    showError(text.trim());
    return false;
  }
  elements.editor.value = text;
  showError("");
  checkParameters(query, values);
  return true;
}

// Parameters that ask about nothing (an IRI that names nothing, an empty named graph...): the
// server says what to check, the page asks the graph, as `kg query` does.
async function checkParameters(query, values) {
  const token = ++state.checking;
  if (!query.params.length) return;
  try {
    const response = await fetch(`/api/checks?${new URLSearchParams({ name: query.name, ...values })}`);
    if (!response.ok) return; // a value that cannot be bound: applying it says why
    const { checks } = await response.json();
    const warnings = [];
    for (const check of checks) {
      if (check.ask === null || (await ask(check.ask)) === false) warnings.push(check.warning);
    }
    if (token === state.checking) showWarnings(warnings);
  } catch (error) {
    // No warnings is no worse than before.
  }
}

async function ask(text) {
  const response = await fetch("/query", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json" },
    body: new URLSearchParams({ query: text }),
  });
  if (!response.ok) return null;
  return (await response.json()).boolean;
}

// -- running a query ----------------------------------------------------------------------------

async function runQuery(event) {
  event?.preventDefault();
  showError("");
  clearResults();
  elements.run.disabled = true;
  elements.status.textContent = "Running…";
  const text = elements.editor.value;
  const started = performance.now();
  try {
    const response = await fetch("/query", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/sparql-results+json, application/n-triples;q=0.9",
      },
      body: new URLSearchParams({ query: text }),
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
    state.ranText = text;
    elements.status.textContent = "";
  } catch (error) {
    showError(`The query could not be sent: ${error.message}`);
    elements.status.textContent = "";
  } finally {
    elements.run.disabled = false;
  }
}

// Clicking an IRI shows what the graph says about it (entity-facts); Ctrl-, Shift- or
// middle-click opens the IRI itself.
async function explore(event, iri) {
  const query = state.catalogue.get(EXPLORE_QUERY);
  if (!query || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  selectQuery(query);
  const field = document.getElementById("param-entity");
  if (!field) return;
  field.value = iri;
  if (await applyParams()) await runQuery();
}

function termCell(term, label) {
  const cell = element("td");
  if (!term) return cell;
  if (term.type === "uri") {
    cell.className = "iri";
    const link = element("a", { href: term.value, textContent: label ?? compact(term.value), title: term.value,
                                target: "_blank", rel: "noopener" });
    link.addEventListener("click", (event) => explore(event, term.value));
    cell.append(link);
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
  // A column X_label labels the IRIs of column X: the link shows the label, the IRI stays its target.
  const labelled = variables.filter((name) => variables.includes(`${name}_label`)
    && rows.some((row) => row[name]?.type === "uri"));
  const shown = variables.filter((name) => !(name.endsWith("_label") && labelled.includes(name.slice(0, -"_label".length))));
  elements.count.textContent = countText(rows.length, "row", milliseconds)
    + (rows.length > MAX_ROWS_SHOWN ? `, the first ${MAX_ROWS_SHOWN} shown` : "");
  state.labelsNote = labelled.length ? `Labels shown for ${labelled.join(", ")}; the links hold the IRIs.` : "";
  showNote(state.labelsNote);
  const header = element("tr", {}, shown.map((name) => element("th", { scope: "col", textContent: name })));
  const body = element("tbody");
  for (const row of rows.slice(0, MAX_ROWS_SHOWN)) {
    body.append(element("tr", {}, shown.map((name) => termCell(row[name],
      labelled.includes(name) ? row[`${name}_label`]?.value : undefined))));
  }
  elements.results.append(element("table", { id: "result-table" }, [element("thead", {}, [header]), body]));
}

function showTriples(text, milliseconds) {
  const lines = text.split("\n").filter((line) => line.trim());
  elements.count.textContent = countText(lines.length, "triple", milliseconds);
  elements.results.append(element("pre", { className: "triples", textContent: lines.slice(0, MAX_ROWS_SHOWN).join("\n") }));
}

// Results of an earlier text stay while the query is edited, marked as such.
function markStale() {
  const stale = state.ranText !== null && elements.editor.value !== state.ranText;
  elements.results.classList.toggle("stale", stale);
  showNote(stale ? "The query has changed since these results: run it again." : state.labelsNote);
}

function showNote(text) {
  elements.note.textContent = text;
  elements.note.hidden = !text;
}

elements.form.addEventListener("submit", runQuery);
elements.applyParams.addEventListener("click", applyParams);
elements.editor.addEventListener("input", markStale);
elements.editor.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) runQuery(event);
});
loadContext();
loadCatalogue();

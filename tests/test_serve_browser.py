"""The `kg serve` query page in a real headless Chromium (Debian's `chromium` and `chromedriver`)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.queries import Catalogue, QueryResult
from kg.queries.results import _plain
from kg.serve import Server, serve
from kg.tables import compact_iri

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
    pytest.skip("Debian's chromium and chromedriver are not installed (make test installs them with "
                "scripts/install-browser.sh)", allow_module_level=True)

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    # No network here: these flags keep Chromium from trying to reach Google.
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1400,1000"):
        options.add_argument(flag)
    # An explicit chromedriver: Selenium Manager never runs, so nothing is downloaded.
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def served(default_trig: Path) -> Iterator[Server]:
    server = serve(default_trig, port=0)
    try:
        yield server
    finally:
        server.stop()


def _wait(driver: WebDriver, seconds: float = 20) -> WebDriverWait[WebDriver]:
    return WebDriverWait(driver, seconds)


def test_a_canned_query_runs_on_the_page(browser: WebDriver, served: Server, default_graph: kg.KnowledgeGraph,
                                         tmp_path: Path) -> None:
    catalogue = default_graph.catalogue
    # The first canned query that has rows on the current data (the content grows; any will do).
    results = ((q, default_graph.run_query(q.name)) for q in catalogue)
    query, expected = next(((q, r) for q, r in results if len(r) > 0 and r.boolean is None), (None, None))
    assert query is not None and expected is not None, "no canned query has rows to compare"
    browser.get(served.url)
    button = _wait(browser).until(expected_conditions.element_to_be_clickable(
        (By.CSS_SELECTOR, f'#query-list button[data-query="{query.name}"]')))
    names = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#query-list button.query-name")]
    assert names == [q.name for q in catalogue]
    summaries = [p.text for p in browser.find_elements(By.CSS_SELECTOR, "#query-list .summary")]
    assert summaries == [q.summary for q in catalogue]
    button.click()
    editor = browser.find_element(By.ID, "editor")
    assert "SELECT" in (editor.get_property("value") or "").upper()
    browser.find_element(By.ID, "run").click()
    _wait(browser).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "#result-table")))
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#result-table thead th")]
    wanted_headers, wanted = _shown(expected, default_graph.base_iri)
    assert headers == wanted_headers
    rows = _page_rows(browser)
    if query.ordered:
        assert rows == wanted
    else:
        assert sorted(rows, key=str) == sorted(wanted, key=str)
    count = browser.find_element(By.ID, "result-count").text
    assert count.startswith(f"{len(expected)} row")
    assert not browser.find_element(By.ID, "error").is_displayed()
    screenshot = tmp_path / "serve-page.png"  # the test's own directory, never the user's build/
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 0


def test_a_malformed_query_shows_the_server_message(browser: WebDriver, served: Server) -> None:
    browser.get(served.url)
    editor = _wait(browser).until(expected_conditions.presence_of_element_located((By.ID, "editor")))
    editor.clear()
    editor.send_keys("SELECT ?s WHERE { ?s ?p }")
    browser.find_element(By.ID, "run").click()
    error = _wait(browser).until(expected_conditions.visibility_of_element_located((By.ID, "error")))
    request = urllib.request.Request(served.query_url, data=urllib.parse.urlencode({"query": "SELECT ?s WHERE { ?s ?p }"}).encode())
    with pytest.raises(urllib.error.HTTPError) as direct:
        urllib.request.urlopen(request, timeout=10)
    server_message = direct.value.read().decode().strip()
    assert server_message and direct.value.code == 400
    assert error.text == f"The server answered 400: {server_message}"
    assert browser.find_elements(By.CSS_SELECTOR, "#result-table") == []


PARAMETER_QUERY = """#+ summary: Documents of one type
#+ params:
#+   - name: type
#+     type: string
#+     default: no such type
#+     description: The document type, as written in the data.
PREFIX kikg: <https://w3id.org/kikg/def#>
SELECT ?document ?type WHERE { ?document a kikg:SourceDocument ; kikg:documentType ?label . FILTER (STR(?label) = ?type) }
ORDER BY ?document
"""


def test_parameters_are_filled_in_on_the_page(browser: WebDriver, default_trig: Path, default_graph: kg.KnowledgeGraph,
                                              tmp_path: Path) -> None:
    (tmp_path / "documents-of-type.rq").write_text(PARAMETER_QUERY, encoding="utf-8")
    catalogue = Catalogue.load(tmp_path)
    local = kg.KnowledgeGraph(default_graph.dataset, catalogue=catalogue)
    types = local.run_sparql("SELECT (STR(?t) AS ?s) WHERE { ?d <https://w3id.org/kikg/def#documentType> ?t } ORDER BY ?s")
    value = types.rows[0][0].value  # type: ignore[union-attr]
    expected = local.run_query("documents-of-type", {"type": value})
    assert len(expected) > 0 and len(local.run_query("documents-of-type")) == 0
    with serve(default_trig, port=0, catalogue=catalogue) as server:
        browser.get(server.url)
        _wait(browser).until(expected_conditions.element_to_be_clickable(
            (By.CSS_SELECTOR, '#query-list button[data-query="documents-of-type"]'))).click()
        field = browser.find_element(By.ID, "param-type")
        assert field.is_displayed() and field.get_property("value") == "no such type"
        field.clear()
        field.send_keys(value)
        browser.find_element(By.ID, "apply-params").click()
        _wait(browser).until(lambda driver: value in (driver.find_element(By.ID, "editor").get_property("value") or ""))
        browser.find_element(By.ID, "run").click()
        _wait(browser).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "#result-table")))
        assert _page_rows(browser) == _shown(expected, default_graph.base_iri)[1]
        assert browser.find_element(By.ID, "result-count").text.startswith(f"{len(expected)} row")


def _shown(result: QueryResult, base: str) -> tuple[list[str], list[list[tuple[str, str | None]]]]:
    """The headers and cells the page shows for a result: IRIs as links (the text compact, or the
    label of a column `X_label`, which is then not a column of its own; the target the full IRI)."""
    variables = result.variables
    labelled = {v for v in variables if f"{v}_label" in variables
                and any(isinstance(row[variables.index(v)], ox.NamedNode) for row in result.rows)}
    shown = [i for i, v in enumerate(variables) if not (v.endswith("_label") and v[: -len("_label")] in labelled)]
    rows = []
    for row in result.rows:
        cells: list[tuple[str, str | None]] = []
        for i in shown:
            term = row[i]
            if isinstance(term, ox.NamedNode):
                label = row[variables.index(f"{variables[i]}_label")] if variables[i] in labelled else None
                cells.append((label.value if label is not None else compact_iri(term.value, base=base), term.value))
            else:
                cells.append(("" if term is None else _plain(term), None))
        rows.append(cells)
    return [variables[i] for i in shown], rows


def _page_rows(driver: WebDriver) -> list[list[tuple[str, str | None]]]:
    rows = []
    for tr in driver.find_elements(By.CSS_SELECTOR, "#result-table tbody tr"):
        cells: list[tuple[str, str | None]] = []
        for td in tr.find_elements(By.TAG_NAME, "td"):
            links = td.find_elements(By.TAG_NAME, "a")
            cells.append((str(td.get_property("textContent")), str(links[0].get_attribute("href")) if links else None))
        rows.append(cells)
    return rows


def _select(driver: WebDriver, name: str) -> None:
    _wait(driver).until(expected_conditions.element_to_be_clickable(
        (By.CSS_SELECTOR, f'#query-list button[data-query="{name}"]'))).click()


def _run(driver: WebDriver) -> None:
    driver.find_element(By.ID, "run").click()
    _wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#result-table")
                        or d.find_element(By.ID, "error").is_displayed())


def _apply(driver: WebDriver, **values: str) -> None:
    for name, value in values.items():
        field = driver.find_element(By.ID, f"param-{name}")
        field.clear()
        field.send_keys(value)
    driver.find_element(By.ID, "apply-params").click()


OVERFLOW = """return {page: document.documentElement.scrollWidth, window: document.documentElement.clientWidth,
                  body: document.body.scrollWidth, boxRight: document.getElementById('results').getBoundingClientRect().right,
                  boxScroll: document.getElementById('results').scrollWidth,
                  boxWidth: document.getElementById('results').clientWidth}"""


@pytest.mark.parametrize("width", [1400, 420])
def test_a_wide_result_scrolls_in_its_box_and_the_page_never_sideways(browser: WebDriver, served: Server,
                                                                      width: int, tmp_path: Path) -> None:
    """entity-facts is the widest result (it made a 1385 px window 2137 px wide): the page stays as
    wide as the window at 1400 and 420 px, and the table scrolls inside its own box."""
    browser.set_window_size(width, 1000)
    try:
        browser.get(served.url)
        _select(browser, "entity-facts")
        _run(browser)
        sizes = browser.execute_script(OVERFLOW)
        assert browser.save_screenshot(str(tmp_path / f"entity-facts-{width}.png"))
        assert sizes["page"] <= sizes["window"] and sizes["body"] <= sizes["window"], sizes
        assert sizes["boxRight"] <= sizes["window"], sizes
        if width == 420:
            assert sizes["boxScroll"] > sizes["boxWidth"], sizes  # the table is wider than its box: it scrolls there
        editor = browser.find_element(By.ID, "editor").rect
        assert editor["x"] >= 0 and editor["x"] + editor["width"] <= sizes["window"]
    finally:
        browser.set_window_size(1400, 1000)


def test_results_clear_when_the_query_changes_or_a_parameter_is_refused(browser: WebDriver, served: Server) -> None:
    browser.get(served.url)
    _select(browser, "documents")
    _run(browser)
    assert browser.find_elements(By.CSS_SELECTOR, "#result-table")
    _select(browser, "supervised-bodies")
    assert browser.find_elements(By.CSS_SELECTOR, "#result-table") == []
    assert browser.find_element(By.ID, "result-count").text == ""
    _run(browser)
    assert browser.find_elements(By.CSS_SELECTOR, "#result-table")
    _apply(browser, ministry="org/not an iri")
    error = _wait(browser).until(expected_conditions.visibility_of_element_located((By.ID, "error")))
    assert "not a valid IRI" in error.text
    assert browser.find_elements(By.CSS_SELECTOR, "#result-table") == []
    _select(browser, "documents")  # choosing a query clears the error too
    assert not browser.find_element(By.ID, "error").is_displayed()
    _run(browser)
    editor = browser.find_element(By.ID, "editor")
    editor.send_keys(" ")  # an edited query: the results are marked as earlier ones
    assert "has changed" in browser.find_element(By.ID, "result-note").text
    assert "stale" in (browser.find_element(By.ID, "results").get_attribute("class") or "")


def test_iris_are_compact_links_and_labels_stand_for_them(browser: WebDriver, served: Server,
                                                         default_graph: kg.KnowledgeGraph) -> None:
    base = default_graph.base_iri
    browser.get(served.url)
    _select(browser, "supervised-bodies")
    _run(browser)
    expected = default_graph.run_query("supervised-bodies")
    headers, rows = _shown(expected, base)
    assert "body_label" not in headers
    assert [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#result-table thead th")] == headers
    page = _page_rows(browser)
    assert page == rows
    body = headers.index("body")
    assert page[0][body] == ("Korea Industrial Complex Corporation", base + "org/kicox")
    assert page[0][headers.index("ministry")] == ("org/motie", base + "org/motie")
    assert "Labels shown for body" in browser.find_element(By.ID, "result-note").text
    # A click on an IRI shows what the graph says about it.
    browser.find_element(By.CSS_SELECTOR, f'#result-table a[href="{base}org/kicox"]').click()
    _wait(browser).until(lambda d: d.find_element(By.ID, "param-entity").get_property("value") == base + "org/kicox"
                         and d.find_elements(By.CSS_SELECTOR, "#result-table"))
    facts = default_graph.run_query("entity-facts", {"entity": "org/kicox"})
    assert browser.find_element(By.ID, "result-count").text.startswith(f"{len(facts)} row")


def test_parameters_that_ask_about_nothing_are_warned_about(browser: WebDriver, served: Server,
                                                            default_graph: kg.KnowledgeGraph) -> None:
    base = default_graph.base_iri
    browser.get(served.url)
    _select(browser, "supervised-bodies")
    warnings = browser.find_element(By.ID, "warnings")
    assert not warnings.is_displayed()
    _apply(browser, ministry="org/motiee")
    _wait(browser).until(expected_conditions.visibility_of(warnings))
    assert warnings.text.endswith(f"no entity <{base}org/motiee> in the graph")
    _apply(browser, ministry="org/motie")
    _wait(browser).until(lambda d: not d.find_element(By.ID, "warnings").is_displayed())
    _select(browser, "top-brokers")  # the served graph has no network analysis
    _wait(browser).until(expected_conditions.visibility_of(warnings))
    assert f"the analysis graph <{base}graph/analysis> is empty: run `kg build`" in warnings.text
    assert warnings.text.replace("⚠ ", "").splitlines() == default_graph.run_query("top-brokers").warnings

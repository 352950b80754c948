"""The `kg serve` query page in a real headless Chromium (Debian's `chromium` and `chromedriver`)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import kg
from kg.queries import Catalogue
from kg.queries.results import _plain
from kg.serve import Server, serve

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
    assert headers == expected.variables
    rows = [[td.get_property("textContent") for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in browser.find_elements(By.CSS_SELECTOR, "#result-table tbody tr")]
    wanted = [["" if term is None else _plain(term) for term in row] for row in expected.rows]
    if query.ordered:
        assert rows == wanted
    else:
        assert sorted(rows) == sorted(wanted)
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
        rows = [[td.get_property("textContent") for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in browser.find_elements(By.CSS_SELECTOR, "#result-table tbody tr")]
        assert rows == [[_plain(term) for term in row if term is not None] for row in expected.rows]
        assert browser.find_element(By.ID, "result-count").text.startswith(f"{len(expected)} row")

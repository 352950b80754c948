"""`kg load` and remote queries against a real Virtuoso 7.2 (Debian's), the second store after Oxigraph.

One server for the whole session (the ``virtuoso`` fixture; these tests share one xdist group so a
single worker starts it, and runs them in this order). The knowledge graph is loaded once per
module; a test that changes the store puts it back as it found it. The crash comes last: the
queries run on the server as first started (see docs/loading.md on Virtuoso's query plans).
"""

from __future__ import annotations

import collections
import logging
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from abandoned_swap import abandon_swaps
from servers import VirtuosoServer

import kg
import kg.remote.loader
from kg.cli import main
from kg.dataset import Dataset
from kg.errors import RemoteError
from kg.queries import QueryResult
from kg.remote import (
    STAGING_PREFIX,
    GraphStore,
    LoadReport,
    QueryDataset,
    TruncatedAnswer,
    load_dataset,
    query_endpoint,
)
from kg.remote.compare import row_key
from kg.remote.sparql import GRAPH_NAMES_PROBE, GRAPHS_GROUPED, enumerates_graphs

pytestmark = [pytest.mark.virtuoso, pytest.mark.xdist_group("virtuoso")]



def _as_loader(monkeypatch: pytest.MonkeyPatch, home: Path, server: VirtuosoServer) -> None:
    """The loading user of ``server`` in KG_USERNAME/KG_PASSWORD, and a home without ~/.netrc."""
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KG_USERNAME", server.LOADER[0])
    monkeypatch.setenv("KG_PASSWORD", server.LOADER[1])


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, virtuoso) -> None:
    """The loading user in KG_USERNAME/KG_PASSWORD, and a home without ~/.netrc."""
    _as_loader(monkeypatch, tmp_path, virtuoso)


@pytest.fixture
def anonymous(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials anywhere."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KG_USERNAME", raising=False)
    monkeypatch.delenv("KG_PASSWORD", raising=False)


@pytest.fixture(scope="module")
def local(default_trig: Path) -> kg.KnowledgeGraph:
    return kg.read(default_trig)


@pytest.fixture(scope="module")
def loaded(virtuoso, default_trig: Path, tmp_path_factory: pytest.TempPathFactory) -> LoadReport:
    """The knowledge graph, loaded once for the module through the authenticated endpoint."""
    with pytest.MonkeyPatch.context() as patch:
        _as_loader(patch, tmp_path_factory.mktemp("home"), virtuoso)
        return load_dataset(default_trig, endpoint=virtuoso.base + "/sparql-graph-crud-auth")


def _counts(virtuoso) -> dict[str, int]:
    result = query_endpoint(virtuoso.base + "/sparql",
                            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row[0].value: int(row[1].value) for row in result.rows  # type: ignore[union-attr]
            if row[0].value.startswith(kg.DEFAULT_BASE_IRI) or row[0].value.startswith(STAGING_PREFIX)}  # type: ignore[union-attr]


def _rows(result: QueryResult) -> list[tuple[object, ...]]:
    return [row_key(row) for row in result.rows]


# -- loading --------------------------------------------------------------------------------------


def test_kg_load_with_digest_credentials_derives_the_query_endpoint(
        virtuoso, loaded: LoadReport, local: kg.KnowledgeGraph, default_trig: Path, credentials: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The documented command: /sparql-graph-crud-auth, Digest, /sparql-auth derived, counts checked,
    and the one value Virtuoso merges (gYear and gYearMonth of one year) named."""
    code = main(["load", "--endpoint", virtuoso.base + "/sparql-graph-crud-auth", "--data", str(default_trig)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    dates = local.dataset.graphs.table("dates")
    expected = local.triple_counts()
    expected[dates] -= 1
    assert _counts(virtuoso) == expected
    green_new_deal = "<https://w3id.org/kikg/id/policy/green-new-deal> <https://w3id.org/kikg/def#eventDate>"
    assert f"<{dates}>: the store merged 1 triple" in captured.out
    assert green_new_deal in captured.out and '"2009"^^<http://www.w3.org/2001/XMLSchema#gYear>' in captured.out
    assert captured.out.rstrip().endswith("the counts match, but for 1 triple the store merged (see above).")
    assert "merged" in captured.err  # and a warning on standard error
    (merged,) = loaded.merged
    assert merged.lost == 1 and len(merged.sent) == 2 and merged.held[0] in merged.sent


def test_loading_again_replaces(virtuoso, loaded: LoadReport, default_trig: Path, credentials: None) -> None:
    documents = kg.DEFAULT_BASE_IRI + "graph/table/documents"
    store = GraphStore(virtuoso.base + "/sparql-graph-crud-auth")
    store.post(documents, b'<https://example.org/stray> <https://example.org/p> "x" .\n')
    before = _counts(virtuoso)
    again = load_dataset(default_trig, endpoint=virtuoso.base + "/sparql-graph-crud-auth")
    after = _counts(virtuoso)
    assert after[documents] == before[documents] - 1
    assert again.ok and [(g.graph, g.on_server) for g in again.graphs] == [(g.graph, g.on_server) for g in loaded.graphs]


def test_a_chunked_load_moves_its_staging_graph_into_place(virtuoso, loaded: LoadReport, default_trig: Path,
                                                           credentials: None) -> None:
    relations = kg.DEFAULT_BASE_IRI + "graph/table/relations"
    report = load_dataset(default_trig, endpoint=virtuoso.base + "/sparql-graph-crud-auth", graphs=[relations],
                          chunk_size=1000)
    (load,) = report.graphs
    assert load.chunks > 1 and load.staged and load.ok and not report.staging
    assert not [g for g in _counts(virtuoso) if g.startswith(STAGING_PREFIX)]


def test_graphs_too_large_for_one_atomic_put_go_through_a_staging_graph(virtuoso, loaded: LoadReport,
                                                                          default_trig: Path, credentials: None,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Virtuoso shows readers a large PUT in parts: the loader knows the store by its Server header
    and sends graphs over the limit through a staging graph, whatever the chunk size."""
    monkeypatch.setattr(kg.remote.loader, "VIRTUOSO_ATOMIC_PUT", 1000)
    report = load_dataset(default_trig, endpoint=virtuoso.base + "/sparql-graph-crud-auth",
                          graphs=["graph/table/relations", "graph/table/documents"])
    relations, documents = report.graphs
    assert relations.sent > 1000 and relations.staged and relations.ok
    assert documents.sent < 1000 and not documents.staged


def test_anonymous_writes_are_refused_with_virtuosos_own_reason(virtuoso, loaded: LoadReport, default_trig: Path,
                                                                anonymous: None, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["load", "--endpoint", virtuoso.base + "/sparql-graph-crud", "--data", str(default_trig)])
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1
    assert "403 Forbidden" in err and "SQ110" in err and "Permission denied" in err  # Virtuoso's words, as text
    assert "no credentials were sent" in err and "refused" not in err and "b'" not in err


def test_wrong_credentials_are_named_as_refused_digest(virtuoso, default_trig: Path, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KG_USERNAME", virtuoso.LOADER[0])
    monkeypatch.setenv("KG_PASSWORD", "not-the-password")
    code = main(["load", "--endpoint", virtuoso.base + "/sparql-graph-crud-auth", "--data", str(default_trig)])
    err = capsys.readouterr().err
    assert code == 1
    assert "401 Unauthorized: the credentials from KG_USERNAME/KG_PASSWORD were refused (Digest" in err
    assert "not-the-password" not in err


def test_granting_sparql_update_opens_both_anonymous_endpoints_to_writes(virtuoso, loaded: LoadReport,
                                                                         local: kg.KnowledgeGraph, anonymous: None) -> None:
    """What docs/loading.md warns of: the grant that lets /sparql-graph-crud take anonymous loads lets
    anyone change the store through /sparql as well."""
    documents = local.dataset.graphs.table("documents")
    virtuoso.grant_anonymous_update()
    try:
        report = local.load(virtuoso.base + "/sparql-graph-crud", graphs=[documents])
        assert report.ok
        GraphStore(virtuoso.base + "/sparql-graph-crud").update(
            "INSERT DATA { GRAPH <https://example.org/anyone> { <https://example.org/a> <https://example.org/b> 1 } }")
        assert query_endpoint(virtuoso.base + "/sparql",
                              "ASK { GRAPH <https://example.org/anyone> { ?s ?p ?o } }").boolean is True
    finally:
        GraphStore(virtuoso.base + "/sparql-graph-crud").delete("https://example.org/anyone")
        virtuoso.grant_anonymous_update(False)
    with pytest.raises(RemoteError, match="403"):
        local.load(virtuoso.base + "/sparql-graph-crud", graphs=[documents])


# -- remote queries -----------------------------------------------------------------------------------


# Queries for which Virtuoso 7.2 loses rows under some of its plans (which depend on sampled index
# statistics, not only on the data: about 1 fresh server in 4 after the other canned queries ran, and
# then the same wrong answer every time). No portable rewrite avoids it; docs/loading.md ("Not yet
# portable") says what was tried. For these the test accepts the local answer or a part of it, never a
# row the local answer lacks; any other query must give the local answer exactly.
PLAN_DEPENDENT_LOSSES = {
    "strategy-targets": "1 of 3 rows on some servers, seen only under a loaded machine (kikg:partOf* closure)",
}


def test_every_canned_query_gives_the_local_answer(virtuoso, loaded: LoadReport, local: kg.KnowledgeGraph) -> None:
    """Multisets of rows, numbers by value; in the same order where the query orders them. On
    Virtuoso's own default graph, all graphs (its system graphs included: no canned query meets them)."""
    differ, lost = [], []
    for query in local.catalogue:
        here = local.run_query(query.name)
        there = local.run_query(query.name, endpoint=virtuoso.base + "/sparql")
        assert there.variables == here.variables, query.name
        if collections.Counter(_rows(there)) != collections.Counter(_rows(here)):
            missing = collections.Counter(_rows(here)) - collections.Counter(_rows(there))
            extra = collections.Counter(_rows(there)) - collections.Counter(_rows(here))
            if query.name in PLAN_DEPENDENT_LOSSES and not extra and len(there) < len(here):
                lost.append(f"{query.name}: {len(there)} of {len(here)} rows ({PLAN_DEPENDENT_LOSSES[query.name]})")
                continue
            differ.append(f"{query.name}: {len(here)} rows here, {len(there)} there; missing there "
                          f"{list(missing)[:2]}, extra there {list(extra)[:2]}")
        elif query.ordered and _rows(there) != _rows(here):
            differ.append(query.name + " (order)")
    assert differ == [], f"{len(local.catalogue) - len(differ)}/{len(local.catalogue)} equal"
    if lost:  # the known defect showed on this server: said, not hidden
        warnings.warn("Virtuoso 7.2 lost rows under its plan: " + "; ".join(lost), stacklevel=1)


def test_the_plan_dependent_queries_are_canned_queries_with_answers(local: kg.KnowledgeGraph) -> None:
    """The exceptions above name real queries whose local answers are not empty (a part of nothing
    would accept anything)."""
    for name in PLAN_DEPENDENT_LOSSES:
        assert len(local.run_query(name)) > 0, name


def test_queries_through_the_authenticated_endpoint_use_digest(virtuoso, loaded: LoadReport, local: kg.KnowledgeGraph,
                                                               credentials: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "documents", "--endpoint", virtuoso.base + "/sparql-auth", "--format", "csv"]) == 0
    there = capsys.readouterr().out
    assert there == local.run_query("documents").to_delimited() and len(there.splitlines()) > 1


def test_a_truncated_answer_is_an_error(virtuoso, loaded: LoadReport, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    everything = tmp_path / "everything.rq"
    everything.write_text("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", encoding="utf-8")
    code = main(["query", "--file", str(everything), "--endpoint", virtuoso.base + "/sparql"])
    err = capsys.readouterr().err
    assert code == 1 and "cut its answer to 10000 rows (X-SPARQL-MaxRows" in err
    with pytest.raises(TruncatedAnswer) as caught:
        query_endpoint(virtuoso.base + "/sparql", everything.read_text())
    assert len(caught.value.result) == 10000


def test_virtuosos_errors_read_as_text(virtuoso, loaded: LoadReport, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    unbound = tmp_path / "unbound.rq"
    unbound.write_text("SELECT * WHERE { ?s <https://example.org/p>+ ?o }", encoding="utf-8")
    code = main(["query", "--file", str(unbound), "--endpoint", virtuoso.base + "/sparql"])
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1
    assert "Virtuoso 37000 Error" in err and "b'" not in err and "\\n" not in err and "SPARQL query:" not in err


def test_a_dataset_of_a_few_graphs(virtuoso, loaded: LoadReport, local: kg.KnowledgeGraph,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """--default-graph and --named-graph reach Virtuoso as the protocol's dataset: the answer is the
    one Oxigraph gives on the same dataset."""
    graphs = [local.dataset.graphs.table(name) for name in ("documents", "entities")]
    text = local.catalogue["documents"].text
    expected = QueryResult.from_solutions(local.store.query(
        text, default_graph=[ox.NamedNode(graphs[0])], named_graphs=[ox.NamedNode(g) for g in graphs]))
    assert len(expected) > 0 and expected.row_keys() != local.run_query("documents").row_keys()
    args = ["query", "documents", "--endpoint", virtuoso.base + "/sparql", "--format", "csv",
            "--default-graph", graphs[0], "--named-graph", graphs[0], "--named-graph", graphs[1]]
    assert main(args) == 0
    assert capsys.readouterr().out == expected.to_delimited()


def test_more_than_21_graphs_in_the_dataset_warns(virtuoso, loaded: LoadReport, local: kg.KnowledgeGraph,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    """Virtuoso 7.2 loses rows of property-path queries when the default graph has more than 21
    graphs: the client says so rather than let the answer pass for complete."""
    dataset = QueryDataset.union_of(local.dataset.graph_names())
    assert len(dataset.default_graphs) > 21
    with caplog.at_level(logging.WARNING, logger="kg.remote"):
        local.run_query("events", endpoint=virtuoso.base + "/sparql", dataset=dataset)
    assert any("more than 21 graphs" in r.getMessage() for r in caplog.records)


def test_a_loader_that_hangs_up_during_its_swap_leaves_the_old_graph_or_the_new_one(virtuoso, credentials: None) -> None:
    """The loader's swap request, and the client closes the connection after 0.02 s or 0.1 s (a
    killed loader, a cut connection). Virtuoso 7.2 stops a request between two of its operations
    when its client has gone and keeps what it did: the swap used to delete in one operation and
    insert in the next, and left the old graph's common triples alone (every time, on these
    graphs). Now the target is the old graph or the new one, with the staging graph left for the
    next load to remove or dropped."""
    store = GraphStore(virtuoso.base + "/sparql-graph-crud-auth")
    outcomes = abandon_swaps(store, "https://example.org/abandoned-swap", size=3000, read_timeouts=(0.02, 0.1),
                             auth=httpx.DigestAuth(*virtuoso.LOADER))
    assert any(hung_up for hung_up, _, _ in outcomes), outcomes
    assert all((version, left) in {("old", True), ("new", True), ("new", False)} for _, version, left in outcomes), outcomes


def test_virtuoso_does_not_list_its_graphs_for_an_empty_graph_pattern(virtuoso, credentials: None) -> None:
    """Why the listing of staging graphs reads every triple on Virtuoso 7.2: ``GRAPH ?g { }`` gives one
    row with ``?g`` unbound (the listing still finds the graphs, by the reading query)."""
    store = GraphStore(virtuoso.base + "/sparql-graph-crud-auth")
    assert not enumerates_graphs(store.query(GRAPH_NAMES_PROBE))
    store.put(STAGING_PREFIX + "listed", b"<https://example.org/s> <https://example.org/p> <https://example.org/o> .\n")
    try:
        assert store.graphs(prefix=STAGING_PREFIX) == [STAGING_PREFIX + "listed"]
    finally:
        store.delete(STAGING_PREFIX + "listed")


# -- a server with small limits -------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """A second Virtuoso whose limits a few thousand triples reach: 100 kB of transaction log per
    transaction (TransactionAfterImageLimit, 50 MB by default) and answers of at most 5 rows."""
    with VirtuosoServer(tmp_path_factory.mktemp("small-virtuoso"), result_set_max_rows=5,
                        after_image_limit=100_000).serving() as server:
        yield server


@pytest.fixture
def small_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, small_virtuoso: VirtuosoServer) -> None:
    """As ``credentials``, for the small server."""
    _as_loader(monkeypatch, tmp_path, small_virtuoso)


def _one_graph(graph: str, triples: int) -> Dataset:
    dataset = Dataset()
    dataset.add_nquads("".join(f'<https://example.org/s{i}> <https://example.org/p> "value {i}" <{graph}> .\n'
                               for i in range(triples)).encode())
    return dataset


def test_an_update_over_the_transaction_limit_fails_at_once_and_names_the_setting(
        small_virtuoso, small_credentials: None, caplog: pytest.LogCaptureFixture) -> None:
    """The ADD of 5,000 staged triples is over the server's transaction limit (each chunk of 250 is
    not): Virtuoso's SR325 fails the same way every time, so it is not sent again, and the message
    says which setting to raise; the target is untouched and the staging graph removed."""
    endpoint = small_virtuoso.base + "/sparql-graph-crud-auth"
    with caplog.at_level(logging.WARNING, logger="kg.remote"), \
            pytest.raises(RemoteError, match=r"SR325.*not retried: .*raise TransactionAfterImageLimit"):
        load_dataset(_one_graph("https://example.org/too-large", 5000), endpoint=endpoint, chunk_size=250)
    assert not [r for r in caplog.records if "retry" in r.getMessage()]
    store = GraphStore(endpoint)
    assert store.count("https://example.org/too-large") == 0
    assert store.graphs(prefix=STAGING_PREFIX) == []


def test_graphs_are_listed_by_reading_every_triple_when_the_grouped_list_is_cut(small_virtuoso,
                                                                                 small_credentials: None) -> None:
    """More graphs than the 5 rows this server answers: the quick, grouped list of graphs comes back
    cut short, and the listing falls back to reading every triple."""
    store = GraphStore(small_virtuoso.base + "/sparql-graph-crud-auth")
    graphs = [f"https://example.org/graph-{i}" for i in range(5)] + [STAGING_PREFIX + "listed"]
    for graph in graphs:
        store.put(graph, b"<https://example.org/s> <https://example.org/p> <https://example.org/o> .\n")
    try:
        with pytest.raises(TruncatedAnswer):
            store.query(GRAPHS_GROUPED)
        assert store.graphs(prefix=STAGING_PREFIX) == [STAGING_PREFIX + "listed"]
    finally:
        for graph in graphs:
            store.delete(graph)


# -- a crash ----------------------------------------------------------------------------------------


def test_a_graph_filled_from_its_staging_graph_survives_a_crash(virtuoso, credentials: None) -> None:
    """A first chunked load fills the empty target with ADD (not MOVE or COPY, which Virtuoso 7.2 does
    not replay right after a crash), and Virtuoso is killed at once, before any checkpoint: after the
    restart the target is whole and the staging graph gone."""
    target = "https://example.org/filled-then-crashed"
    store = GraphStore(virtuoso.base + "/sparql-graph-crud-auth")
    store.delete(target)
    report = load_dataset(_one_graph(target, 3671), endpoint=virtuoso.base + "/sparql-graph-crud-auth", chunk_size=1000)
    assert report.ok and report.graphs[0].staged
    virtuoso.kill()
    virtuoso.start()
    store = GraphStore(virtuoso.base + "/sparql-graph-crud-auth")
    try:
        assert store.count(target) == 3671
        assert store.graphs(prefix=STAGING_PREFIX) == []
    finally:
        store.delete(target)


def test_a_load_killed_with_the_server_leaves_a_staging_graph_the_next_load_removes(
        virtuoso, loaded: LoadReport, default_trig: Path, local: kg.KnowledgeGraph, credentials: None,
        caplog: pytest.LogCaptureFixture) -> None:
    """SIGKILL of Virtuoso in the middle of a chunked load: the graph being loaded keeps the content
    of the earlier chunked load (whose swap Virtuoso replays right, where it would not replay a
    MOVE), its staging graph survives the restart (it shows in the union of all graphs), and the next
    load removes it, says so, and leaves none."""
    relations = local.dataset.graphs.table("relations")
    load_dataset(default_trig, endpoint=virtuoso.base + "/sparql-graph-crud-auth", graphs=[relations], chunk_size=1000)
    before = _counts(virtuoso)
    env = {**os.environ}
    loader = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "load", "--endpoint", virtuoso.base + "/sparql-graph-crud-auth",
         "--data", str(default_trig), "--graph", relations, "--chunk-size", "100", "--retries", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        staging: list[str] = []
        while not staging and time.monotonic() < deadline and loader.poll() is None:
            staging = [g for g in _counts(virtuoso) if g.startswith(STAGING_PREFIX)]
        assert staging, "the load never showed a staging graph"
        virtuoso.kill()
        _, err = loader.communicate(timeout=60)
        assert loader.returncode == 1 and "cannot reach" in err
    finally:
        if loader.poll() is None:
            loader.kill()
        virtuoso.start()
    after_crash = _counts(virtuoso)
    orphans = {g: n for g, n in after_crash.items() if g.startswith(STAGING_PREFIX)}
    assert list(orphans) == staging and after_crash[relations] == before[relations]
    with caplog.at_level(logging.WARNING, logger="kg.remote"):
        report = load_dataset(default_trig, endpoint=virtuoso.base + "/sparql-graph-crud-auth", graphs=[relations])
    assert [(s.graph, s.triples) for s in report.removed_staging] == list(orphans.items())
    assert any("removed the staging graph" in r.getMessage() for r in caplog.records)
    assert report.ok and not report.staging
    assert not [g for g in _counts(virtuoso) if g.startswith(STAGING_PREFIX)]


@pytest.fixture(autouse=True, scope="module")
def _no_staging_graphs_left(virtuoso) -> Iterator[None]:
    yield
    assert not [g for g in _counts(virtuoso) if g.startswith(STAGING_PREFIX)]

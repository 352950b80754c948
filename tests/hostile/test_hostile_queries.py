"""Issue #13 item 1: a query never makes the engine call another server, and never writes.

The read-only check parses the query (kg.queries.guard); behind it, the threads that evaluate
local queries and the Oxigraph server of `kg serve` run under a seccomp filter that refuses
outgoing connections (kg._sandbox). Each attack file is run through the `kg` command and a real
`kg serve`, with a loopback listener that must hear nothing.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from corpus import HOSTILE, SMALL, Listener

from kg._sandbox import confinement_available
from kg.cli import main
from kg.queries import run_local
from kg.queries.guard import (
    MAX_DEPTH,
    ForbiddenQueryError,
    SparqlSyntaxError,
    check_read_only,
    parse_query,
)
from kg.serve import Server

ATTACKS = sorted((HOSTILE / "queries").glob("*.rq"))
SYNTAX = HOSTILE / "sparql-syntax"
ISSUE_QUERY = "PREFIX ex: <http://e/>\nSELECT * WHERE { BIND(ex:a\\#b AS ?x) SERVICE <LISTENER> { ?s ?p ?o } }\n"


def _attack(path: Path, listener: Listener, folder: Path) -> Path:
    target = folder / path.name
    target.write_text(path.read_text(encoding="utf-8").replace("LISTENER", listener.url), encoding="utf-8")
    return target


def _post(url: str, query: str) -> tuple[int, str]:
    request = urllib.request.Request(url, data=urllib.parse.urlencode({"query": query}).encode(), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_the_attack_is_real_without_the_walls(listener: Listener) -> None:
    """Control: pyoxigraph itself, on a thread of its own, does call the listener."""
    text = ISSUE_QUERY.replace("LISTENER", listener.url)

    def run() -> None:
        try:
            list(ox.Store().query(text))  # type: ignore[arg-type]
        except OSError:
            pass  # the listener answers nothing useful

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert listener.heard and listener.heard[0].startswith(b"POST /sparql")


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda p: p.stem)
def test_the_parser_refuses_each_attack_with_its_position(attack: Path) -> None:
    text = attack.read_text(encoding="utf-8").replace("LISTENER", "http://127.0.0.1:9/sparql")
    with pytest.raises(SparqlSyntaxError) as refused:
        check_read_only(text)
    error = refused.value
    assert error.line >= 2 and error.column >= 1  # line 1 is the file's comment
    if attack.stem.startswith("service-") and "codepoint" not in attack.stem:
        assert isinstance(error, ForbiddenQueryError) and error.keyword == "SERVICE"
        assert text.splitlines()[error.line - 1][error.column - 1:].upper().startswith("SERVICE")
    elif attack.stem.startswith("update-") and attack.stem != "update-after-query":
        assert isinstance(error, ForbiddenQueryError) and error.keyword != "SERVICE"


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda p: p.stem)
def test_kg_query_refuses_each_attack_with_exit_2(attack: Path, listener: Listener, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = _attack(attack, listener, tmp_path)
    assert main(["query", "--file", str(path), "--data", str(SMALL)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    # The data file's own warning (its typed literals held by value) is a line of its own.
    errors = [line for line in lines if not line.startswith("kg query: warning: ")]
    assert len(errors) == 1 and errors[0].startswith("kg query: error: ") and len(lines) <= 2, lines
    error = errors[0]
    assert re.search(re.escape(str(path)) + r": line \d+, column \d+: ", error), error
    assert listener.heard == []


def test_the_issue_reproduction_through_the_real_command(listener: Listener, tmp_path: Path) -> None:
    path = tmp_path / "issue.rq"
    path.write_text(ISSUE_QUERY.replace("LISTENER", listener.url), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kg.cli", "query", "--file", str(path), "--data", str(SMALL)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip() == (f"kg query: error: {path}: line 2, column 38: SERVICE is not allowed: "
                                   "a query here never calls another server")
    assert listener.heard == []


@pytest.mark.server
@pytest.mark.parametrize("attack", ATTACKS, ids=lambda p: p.stem)
def test_kg_serve_refuses_each_attack_with_400(attack: Path, listener: Listener, small_server: Server) -> None:
    text = attack.read_text(encoding="utf-8").replace("LISTENER", listener.url)
    status, body = _post(small_server.query_url, text)
    assert status == 400, body
    assert re.match(r"line \d+, column \d+: ", body), body
    get = small_server.query_url + "?" + urllib.parse.urlencode({"query": text})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(get, timeout=30)
    assert refused.value.code == 400
    assert listener.heard == []


@pytest.mark.skipif(not confinement_available(), reason="the seccomp filter needs Linux on x86-64 or AArch64")
def test_local_queries_run_on_threads_that_cannot_call_out(listener: Listener) -> None:
    """The second wall: evaluate the issue's query on the confined thread, the parser left aside."""
    from kg.queries import _CONFINED, _evaluate

    text = ISSUE_QUERY.replace("LISTENER", listener.url)
    outcome = _CONFINED.submit(_evaluate, ox.Store(), text).result()
    assert isinstance(outcome, OSError) and "Operation not permitted" in str(outcome)
    assert listener.heard == []


@pytest.mark.server
@pytest.mark.skipif(not confinement_available(), reason="the seccomp filter needs Linux on x86-64 or AArch64")
def test_the_oxigraph_server_of_kg_serve_cannot_call_out(listener: Listener, small_server: Server) -> None:
    """The second wall of `kg serve`: the query sent straight to Oxigraph, past the front."""
    backend = f"http://127.0.0.1:{small_server._backend.port}/query"
    text = "SELECT * WHERE { SERVICE <LISTENER> { ?s ?p ?o } }".replace("LISTENER", listener.url)
    status, body = _post(backend, text)
    assert "Operation not permitted" in body, (status, body)
    assert listener.heard == []


def test_run_local_still_answers_read_queries() -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("x"), ox.NamedNode("http://e/g")))
    result = run_local(store, "SELECT ?o WHERE { ?s <http://e/p> ?o }")
    assert [row[0].value for row in result.rows if row[0] is not None] == ["x"]


# -- the parser against the W3C syntax tests (the outside oracle) --------------------------------------

# Negative syntax tests the grammar itself accepts: they break scoping rules (a blank node label used
# in two groups, a variable bound twice, ungrouped variables in SELECT, a VALUES row of the wrong
# width is caught, these are not). The engine refuses them; nothing here runs or reaches out.
SCOPING_RULES = {
    "sparql10/syntax-sparql3/syn-blabel-cross-graph-bad.rq", "sparql10/syntax-sparql3/syn-blabel-cross-optional-bad.rq",
    "sparql10/syntax-sparql3/syn-blabel-cross-union-bad.rq", "sparql10/syntax-sparql4/syn-bad-34.rq",
    "sparql10/syntax-sparql4/syn-bad-35.rq", "sparql10/syntax-sparql4/syn-bad-36.rq",
    "sparql10/syntax-sparql4/syn-bad-37.rq", "sparql10/syntax-sparql4/syn-bad-38.rq",
    "sparql10/syntax-sparql4/syn-bad-GRAPH-breaks-BGP.rq", "sparql10/syntax-sparql4/syn-bad-OPT-breaks-BGP.rq",
    "sparql10/syntax-sparql4/syn-bad-UNION-breaks-BGP.rq", "sparql11/syntax-query/syn-bad-01.rq",
    "sparql11/syntax-query/syn-bad-02.rq", "sparql11/syntax-query/syn-bad-03.rq",
    "sparql11/syntax-query/syntax-BINDscope6.rq", "sparql11/syntax-query/syntax-BINDscope7.rq",
    "sparql11/syntax-query/syntax-BINDscope8.rq", "sparql11/syntax-query/syntax-SELECTscope2.rq",
}
# `FILTER(?x<?a&&?b>?y)`: the W3C lexer reads `<?a&&?b>` as an IRI; Oxigraph, like this parser, reads
# a comparison where the grammar expects an operator. Agreeing with the engine is what matters here.
READ_AS_OXIGRAPH_READS = {"sparql10/syntax-sparql3/syn-bad-26.rq"}


def test_the_parser_agrees_with_the_w3c_syntax_tests() -> None:
    kinds: dict[str, str] = json.loads((SYNTAX / "kinds.json").read_text(encoding="utf-8"))
    outcomes: dict[str, str] = {}
    for name in kinds:
        text = (SYNTAX / name).read_text(encoding="utf-8")
        try:
            parse_query(text)
            outcomes[name] = "query"
        except ForbiddenQueryError:
            outcomes[name] = "refused"
        except SparqlSyntaxError:
            outcomes[name] = "error"
    positive = [n for n, k in kinds.items() if k in ("PositiveSyntaxTest", "PositiveSyntaxTest11")]
    negative = [n for n, k in kinds.items() if k in ("NegativeSyntaxTest", "NegativeSyntaxTest11")]
    updates = [n for n, k in kinds.items() if "Update" in k]
    assert len(positive) == 215 and len(negative) == 81 and len(updates) == 54
    assert [n for n in positive if outcomes[n] != "query"] == []
    assert sorted(n for n in negative if outcomes[n] == "query") == sorted(SCOPING_RULES | READ_AS_OXIGRAPH_READS)
    assert [n for n in updates if outcomes[n] == "query"] == []  # every update is refused, good or bad
    for name in kinds:  # and the syntax-fed tests are refused by the read-only check
        if "syntax-fed" in name:
            with pytest.raises(ForbiddenQueryError, match="SERVICE"):
                check_read_only((SYNTAX / name).read_text(encoding="utf-8"))


def test_nesting_is_bounded_and_long_queries_parse_in_linear_time() -> None:
    with pytest.raises(SparqlSyntaxError, match=f"nested more than {MAX_DEPTH} levels"):
        parse_query("SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }")
    with pytest.raises(SparqlSyntaxError, match=f"nested more than {MAX_DEPTH} levels"):
        parse_query("SELECT * WHERE " + "{" * 10_000 + "}" * 10_000)
    wide = "SELECT * WHERE {" + " ".join(f"?s{i} <http://x/p> ?o{i} ." for i in range(20_000)) + "}"
    assert parse_query(wide).form == "SELECT"
    many = "SELECT * WHERE { ?s ?p ?o FILTER(?o IN (" + ",".join(f'"{i}"' for i in range(20_000)) + ")) }"
    assert parse_query(many).form == "SELECT"

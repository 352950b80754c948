"""HTML documentation of the ontology, rendered by pyLODE from ``ontology/`` (``kg docs``).

Everything is read from local files: the ontology is handed to pyLODE as a parsed graph, never as a
location it could fetch, and pyLODE's background vocabularies (RDF, OWL, SKOS...) ship inside it.
A test renders the documentation with the network blocked by an audit hook.

Examples
--------
>>> html = render_ontology_html()
>>> "IndustrialComplex" in html and "<h2>Classes</h2>" in html
True
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import re
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from kg._resources import ONTOLOGY_DIR
from kg.errors import InputError, KGError
from kg.outputs import OutputStage

__all__ = ["DOCS_INDEX", "render_ontology_html", "run", "write_ontology_docs"]

DOCS_INDEX = "index.html"
"""Name of the page :func:`write_ontology_docs` writes."""


def render_ontology_html(*, ontology_dir: Path = ONTOLOGY_DIR) -> str:
    """The pyLODE HTML page documenting the ontology files ``ontology_dir/*.ttl``.

    Raises
    ------
    InputError
        If an ontology file does not parse, or the ontology has no ``dcterms:title``.
    KGError
        If pyLODE is not installed.
    """
    graph = _bilingual_names(_ontology_graph(ontology_dir))
    ontology_publisher = _import_ontpub()
    from pylode import PylodeError

    with _root_logger_kept(), pylode_cache_lock():
        try:
            document = ontology_publisher(graph)
        except PylodeError as exc:
            raise InputError(f"pyLODE cannot document the ontology: {exc}", file=ontology_dir) from None
        return str(document.make_html())


@contextmanager
def pylode_cache_lock() -> Iterator[None]:
    """One pyLODE render at a time per installation.

    pyLODE caches its background ontologies as pickles in its own package folder, written in place on
    first use; a second process that finds the file while the first is still writing it fails with
    "EOFError: Ran out of input" (seen when two ``kg docs`` ran at once on a fresh install). Where
    that folder cannot be written, pyLODE writes no cache, and nothing needs a lock.
    """
    from pylode import utils

    try:
        handle = open(utils.RDF_FOLDER / ".kg-docs.lock", "a")  # noqa: SIM115 - closed below
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def write_ontology_docs(out_dir: str | Path, *, ontology_dir: Path = ONTOLOGY_DIR) -> list[Path]:
    """Render the documentation into ``out_dir/index.html`` (written atomically); return the files.

    Raises
    ------
    InputError
        As :func:`render_ontology_html`, or if ``out_dir`` cannot be created or written.
    """
    html = render_ontology_html(ontology_dir=ontology_dir)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with OutputStage(out) as stage:
            stage.write(DOCS_INDEX, html.encode("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot write the documentation: {exc.strerror or exc}", file=out) from None
    return [out / DOCS_INDEX]


def run(args: argparse.Namespace) -> int:
    """``kg docs``: write the documentation under ``--out``."""
    files = write_ontology_docs(args.out)
    if not getattr(args, "quiet", False):
        for path in files:
            print(f"Wrote {path}")
    return 0


def _ontology_graph(directory: Path) -> Any:
    """The ontology files parsed into one rdflib graph, with their prefixes."""
    import rdflib

    graph = rdflib.Graph(bind_namespaces="core")
    paths = sorted(directory.glob("*.ttl"))
    if not paths:
        raise InputError("no ontology file (*.ttl) found", file=directory)
    for path in paths:
        try:
            graph.parse(path, format="turtle")
        except SyntaxError as exc:  # rdflib's BadSyntax is a SyntaxError
            text = str(exc)
            line = re.search(r"at line (\d+)", text)
            reason = text.splitlines()[1].split(" at ^")[0] if len(text.splitlines()) > 1 else text
            raise InputError(reason, file=path, line=int(line.group(1)) if line else None) from None
    return graph


def _bilingual_names(graph: Any) -> Any:
    """The graph with each English-and-Korean pair of names joined into one, for display.

    pyLODE prints every ``rdfs:label`` (and the ontology's every ``dcterms:title``) of a term run
    together ("industrial complex산업단지"), and titles the page with whichever it meets last.
    The graph handed to it therefore carries one name per term, "industrial complex (산업단지)";
    the ontology files are not touched.
    """
    from rdflib import Literal
    from rdflib.namespace import DCTERMS, RDFS

    for predicate in (RDFS.label, DCTERMS.title):
        for subject in set(graph.subjects(predicate, None)):
            names = {o.language: o for o in graph.objects(subject, predicate) if isinstance(o, Literal)}
            if "en" in names and "ko" in names:
                graph.remove((subject, predicate, names["en"]))
                graph.remove((subject, predicate, names["ko"]))
                graph.add((subject, predicate, Literal(f"{names['en']} ({names['ko']})", lang="en")))
    return graph


@contextmanager
def _root_logger_kept() -> Iterator[None]:
    """Restore the root logger's level and handlers on exit.

    pyLODE's Supermodel loader calls ``logging.basicConfig(level=DEBUG)`` when imported, and pyLODE
    logs through the module-level ``logging.info``, which installs a handler on a bare root logger:
    both would change logging for the whole process.
    """
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        yield
    finally:
        root.setLevel(level)
        root.handlers[:] = handlers


def _import_ontpub() -> Any:
    """pyLODE's ``OntPub`` class, imported without changing the process's logging.

    pyLODE 3.4.1 reads its own version from a ``pyproject.toml`` that its wheel does not ship, so
    ``import pylode`` fails with FileNotFoundError (RDFLib/pyLODE#260, fixed after 3.4.1). The
    version module is then replaced by one that asks the installed package metadata.
    """
    try:
        try:
            with _root_logger_kept():
                from pylode import OntPub
        except FileNotFoundError:
            for name in [m for m in sys.modules if m == "pylode" or m.startswith("pylode.")]:
                del sys.modules[name]
            version = types.ModuleType("pylode.version")
            version.__version__ = metadata.version("pylode")  # type: ignore[attr-defined]
            sys.modules["pylode.version"] = version
            with _root_logger_kept():
                from pylode import OntPub
    except ImportError:
        raise KGError("kg docs needs pyLODE: pip install 'kikg[docs]'") from None
    return OntPub

"""Where the data files the package reads live: the one place code finds them.

The rule (README, "Where files live"): each data folder has one home in the repository, and code
reaches it only through the names here. The contract of the graph, which users of any tool read
and edit as files, sits at the top of the repository (design card): ``ontology/``, ``shapes/`` and
``queries/``; a wheel carries copies under ``kg/_bundled/`` (made at packaging time, never in git).
The files of one stage of the package live beside the code that reads them: the default source
tables with their generated CSVW metadata (``kg/sources/``, read by :mod:`kg.mapping`) and the
query page (``kg/serve/static/``, served by :mod:`kg.serve`).
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import KGError

__all__ = ["ONTOLOGY_DIR", "QUERIES_DIR", "SHAPES_DIR", "SOURCES_DIR", "STATIC_DIR", "resource_dir"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the directory holding the bundled resource ``name`` (``ontology``, ``shapes``...)."""
    for candidate in (_PACKAGE_DIR / "_bundled" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise KGError(f"resource folder {name!r} is missing from the installation")


ONTOLOGY_DIR = resource_dir("ontology")
SHAPES_DIR = resource_dir("shapes")
QUERIES_DIR = resource_dir("queries")
SOURCES_DIR = _PACKAGE_DIR / "sources"
STATIC_DIR = _PACKAGE_DIR / "serve" / "static"

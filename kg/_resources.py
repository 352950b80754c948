"""Where the data files the package reads live.

In a source checkout, ``ontology/``, ``shapes/`` and ``queries/`` sit at the top of the repository,
beside ``kg/``; a wheel carries them inside the package under ``kg/_bundled/``. The source tables
always live in the package (``kg/sources/``), beside the mapping code that reads them.
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import KGError

__all__ = ["ONTOLOGY_DIR", "QUERIES_DIR", "SHAPES_DIR", "SOURCES_DIR", "resource_dir"]

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

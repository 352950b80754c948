"""Generate :mod:`kg.namespace` from the ontology, so code can only spell terms the ontology defines.

Run ``python -m kg.namespace_gen`` after changing ``ontology/``; ``python -m kg.namespace_gen --check``
exits 1 while the generated module is stale (a test runs it).

Examples
--------
>>> terms = ontology_terms()
>>> terms["IndustrialComplex"]
'industrial complex'
>>> "class KIKG(DefinedNamespace):" in render_namespace_module()
True
"""

from __future__ import annotations

import argparse
import keyword
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox

from kg._resources import ONTOLOGY_DIR
from kg.errors import InputError

__all__ = ["ONTOLOGY_NAMESPACE", "main", "ontology_terms", "parse_ontology", "render_namespace_module"]

ONTOLOGY_NAMESPACE = "https://w3id.org/kikg/def#"
_TARGET = Path(__file__).with_name("namespace.py")
_DECLARATIONS = {
    "http://www.w3.org/2002/07/owl#Class",
    "http://www.w3.org/2002/07/owl#ObjectProperty",
    "http://www.w3.org/2002/07/owl#DatatypeProperty",
    "http://www.w3.org/2002/07/owl#AnnotationProperty",
    "http://purl.org/linked-data/cube#DataStructureDefinition",
    "http://purl.org/linked-data/cube#ComponentSpecification",
}
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def parse_ontology(directory: Path = ONTOLOGY_DIR) -> Iterator[tuple[Path, ox.Triple]]:
    """Each triple of the ``*.ttl`` files of ``directory``, with its file.

    Raises
    ------
    InputError
        If a file does not parse.
    """
    for path in sorted(directory.glob("*.ttl")):
        try:
            triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
        except SyntaxError as exc:
            raise InputError(f"cannot parse the ontology: {str(exc).splitlines()[0]}", file=path) from None
        for triple in triples:
            yield path, triple


def ontology_terms(directory: Path = ONTOLOGY_DIR) -> dict[str, str]:
    """Local names of the terms the ontology declares, with their English labels.

    Classes come first, then properties and the other declared terms, each group sorted by name.

    Raises
    ------
    InputError
        If a file does not parse, or a term's local name cannot be a Python attribute (the
        generated module would not import).
    """
    terms: dict[str, Path] = {}
    labels: dict[str, str] = {}
    for path, triple in parse_ontology(directory):
        subject = triple.subject
        if not isinstance(subject, ox.NamedNode) or not subject.value.startswith(ONTOLOGY_NAMESPACE):
            continue
        name = subject.value[len(ONTOLOGY_NAMESPACE):]
        declared = isinstance(triple.object, ox.NamedNode) and triple.object.value in _DECLARATIONS
        if triple.predicate.value == _RDF_TYPE and declared:
            terms[name] = path
        elif (
            triple.predicate.value == _LABEL
            and isinstance(triple.object, ox.Literal)
            and triple.object.language == "en"
        ):
            labels[name] = triple.object.value
    for name, path in terms.items():
        # DefinedNamespace reserves names starting with "_"; anything else must be an identifier.
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            raise InputError(f"the term {ONTOLOGY_NAMESPACE}{name} cannot be a Python attribute name", file=path)
    return {name: labels.get(name, "") for name in sorted(terms, key=lambda n: (n[0].islower(), n))}


def render_namespace_module(directory: Path = ONTOLOGY_DIR) -> str:
    """The source text of :mod:`kg.namespace`."""
    lines = [
        "# GENERATED FILE, do not edit: run `python -m kg.namespace_gen` after changing ontology/.",
        '"""Terms of the kikg ontology, generated from ``ontology/``.',
        "",
        "A misspelt term raises at import or first use instead of minting an IRI nobody defined:",
        "",
        ">>> KIKG.IndustrialComplex",
        "rdflib.term.URIRef('https://w3id.org/kikg/def#IndustrialComplex')",
        '"""',
        "",
        "from rdflib.namespace import DefinedNamespace, Namespace",
        "from rdflib.term import URIRef",
        "",
        '__all__ = ["KIKG"]',
        "",
        "",
        "class KIKG(DefinedNamespace):",
        '    """The kikg ontology namespace."""',
        "",
        "    _fail = True",
        f'    _NS = Namespace("{ONTOLOGY_NAMESPACE}")',
        "",
    ]
    for name, label in ontology_terms(directory).items():
        comment = f"  # {label}" if label else ""
        lines.append(f"    {name}: URIRef{comment}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None, *, target: Path = _TARGET, directory: Path = ONTOLOGY_DIR) -> int:
    """Write the module; with ``--check``, write nothing and return 1 when it is stale."""
    parser = argparse.ArgumentParser(prog="python -m kg.namespace_gen", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if kg/namespace.py differs from the ontology")
    args = parser.parse_args(argv)
    text = render_namespace_module(directory)
    if args.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            print(f"{target} is stale: run `python -m kg.namespace_gen` and commit the result", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

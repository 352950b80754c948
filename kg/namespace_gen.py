"""Generate :mod:`kg.namespace` from the ontology, so code can only spell terms the ontology defines.

Run ``python -m kg.namespace_gen`` after changing ``ontology/``; a test fails while the generated
module is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox

from kg._resources import ONTOLOGY_DIR

__all__ = ["ONTOLOGY_NAMESPACE", "render_namespace_module", "ontology_terms"]

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


def ontology_terms(directory: Path = ONTOLOGY_DIR) -> dict[str, str]:
    """Local names of the terms the ontology declares, with their English labels."""
    terms: dict[str, str] = {}
    labels: dict[str, str] = {}
    for path in sorted(directory.glob("*.ttl")):
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            subject = triple.subject
            if not isinstance(subject, ox.NamedNode) or not subject.value.startswith(ONTOLOGY_NAMESPACE):
                continue
            name = subject.value[len(ONTOLOGY_NAMESPACE):]
            if triple.predicate.value == _RDF_TYPE and triple.object.value in _DECLARATIONS:
                terms[name] = ""
            elif (
                triple.predicate.value == _LABEL
                and isinstance(triple.object, ox.Literal)
                and triple.object.language == "en"
            ):
                labels[name] = triple.object.value
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


def main() -> int:
    """Write the module, or with ``--check`` exit 1 when it is stale."""
    text = render_namespace_module()
    if "--check" in sys.argv[1:]:
        return 0 if _TARGET.read_text(encoding="utf-8") == text else 1
    _TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The RDF dataset in named graphs, held in an Oxigraph store, and its serialisations.

Oxigraph is the engine for storage, SPARQL and serialisation; rdflib terms are used at the API
boundary. Canonical N-Triples output is the union of all graphs, one triple a line, sorted by code
point, without blank nodes: the same input gives the same bytes on every run and machine.

Examples
--------
>>> ds = Dataset()
>>> ds.add_nquads(b'<http://ex/a> <http://ex/p> "x" <http://ex/g> .\\n')
>>> ds.triple_counts()
{'http://ex/g': 1}
>>> print(ds.canonical_ntriples().decode(), end="")
<http://ex/a> <http://ex/p> "x" .
"""

from __future__ import annotations

import enum
import hashlib
import re
import xml.parsers.expat
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError
from kg.graphs import DEFAULT_BASE_IRI, GraphNames
from kg.vocabularies import PREFIXES

__all__ = ["Dataset", "RdfFormat", "deterministic_turtle", "iter_rdf_file", "parse_rdf_file", "select", "skolemize"]


class RdfFormat(enum.Enum):
    """Serialisation formats of the dataset."""

    TRIG = "trig"
    NQUADS = "nquads"
    TURTLE = "turtle"
    NTRIPLES = "ntriples"
    JSONLD = "jsonld"
    RDFXML = "rdfxml"

    @property
    def oxigraph(self) -> ox.RdfFormat:
        """The matching pyoxigraph format."""
        return {
            RdfFormat.TRIG: ox.RdfFormat.TRIG,
            RdfFormat.NQUADS: ox.RdfFormat.N_QUADS,
            RdfFormat.TURTLE: ox.RdfFormat.TURTLE,
            RdfFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
            RdfFormat.JSONLD: ox.RdfFormat.JSON_LD,
            RdfFormat.RDFXML: ox.RdfFormat.RDF_XML,
        }[self]

    @property
    def extension(self) -> str:
        """The usual file extension."""
        return {"trig": "trig", "nquads": "nq", "turtle": "ttl", "ntriples": "nt", "jsonld": "jsonld",
                "rdfxml": "rdf"}[self.value]

    @property
    def supports_graphs(self) -> bool:
        """Whether the format keeps named graphs."""
        return self in (RdfFormat.TRIG, RdfFormat.NQUADS, RdfFormat.JSONLD)

    @classmethod
    def from_path(cls, path: str | Path) -> RdfFormat:
        """Guess the format of a file from its extension.

        Raises
        ------
        InputError
            For an extension that is not an RDF format the toolkit reads.
        """
        suffix = Path(path).suffix.lower().lstrip(".")
        aliases = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "trig": "trig", "jsonld": "jsonld",
                   "json": "jsonld", "rdf": "rdfxml", "owl": "rdfxml", "xml": "rdfxml"}
        if suffix not in aliases:
            raise InputError(
                f"cannot tell the RDF format from the extension {suffix!r} (use .ttl, .nt, .nq, .trig, .jsonld or .rdf)",
                file=path,
            )
        return cls(aliases[suffix])


def select(store: ox.Store, sparql: str, *, union: bool = True) -> ox.QuerySolutions:
    """Run a SELECT on ``store`` (by default over the union of its graphs) and return its solutions."""
    result = store.query(sparql, use_default_graph_as_union=union)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("select() runs SELECT queries only")
    return result


def deterministic_turtle(triples: Iterable[ox.Triple], *, prefixes: Mapping[str, str] | None = None) -> bytes:
    """Turtle of ``triples`` with prefixes, the same bytes for the same triples whatever their order."""
    unique = sorted({str(t) for t in triples})
    parsed = ox.parse("".join(line + " .\n" for line in unique).encode(), format=ox.RdfFormat.N_TRIPLES)
    data = ox.serialize(parsed, format=ox.RdfFormat.TURTLE, prefixes=dict(prefixes or PREFIXES))
    assert data is not None
    return data


_CANONICAL_TWINS = 6
"""Largest group of look-alike blank nodes RDFC-1.0 is asked to tell apart (its cost grows as the
factorial of that size: a 7-clique takes a second, an 8-clique twelve, a 10-clique minutes)."""


def _largest_twin_group(quads: list[ox.Quad]) -> int:
    """The size of the largest group of blank nodes with the same RDFC-1.0 first-degree hash."""
    mentions: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        for term in (quad.subject, quad.object, quad.graph_name):
            if isinstance(term, ox.BlankNode):
                mentions[term.value].append(quad)

    def text(term: object, me: str) -> str:
        if isinstance(term, ox.BlankNode):
            return "_:a" if term.value == me else "_:z"
        return str(term)

    hashes: dict[str, int] = defaultdict(int)
    for node, around in mentions.items():
        lines = sorted(" ".join(text(t, node) for t in (q.subject, q.predicate, q.object, q.graph_name)) for q in around)
        hashes[hashlib.sha256("\n".join(lines).encode()).hexdigest()] += 1
    return max(hashes.values(), default=0)


def _label_in_order(quads: list[ox.Quad]) -> list[ox.Quad]:
    """Blank nodes relabelled by first appearance: the same input gives the same labels."""
    labels: dict[str, ox.BlankNode] = {}

    def label(term: object) -> object:
        if isinstance(term, ox.BlankNode):
            return labels.setdefault(term.value, ox.BlankNode(f"o{len(labels)}"))
        return term

    return [ox.Quad(label(q.subject), q.predicate, label(q.object), label(q.graph_name))  # type: ignore[arg-type]
            for q in quads]


def skolemize(quads: Iterable[ox.Quad], *, base: str) -> list[ox.Quad]:
    """Replace blank nodes by stable IRIs under ``{base}.well-known/genid/``.

    The labels come from RDF Dataset Canonicalization (RDFC-1.0) hashed with the graph content, so
    the same graph gets the same IRIs on every run. Where the graph has more than
    :data:`_CANONICAL_TWINS` blank nodes that RDFC-1.0 could only tell apart by trying their
    permutations (a clique of blank nodes in a hostile file), they are labelled by their order in
    the input instead: the same file still gives the same IRIs, in bounded time.

    Examples
    --------
    >>> p = ox.NamedNode("http://e/p")
    >>> clique = [ox.Quad(ox.BlankNode(f"n{i}"), p, ox.BlankNode(f"n{j}")) for i in range(10) for j in range(10) if i != j]
    >>> len({q.subject for q in skolemize(clique, base="http://e/")})
    10
    """
    quads = list(quads)
    if not any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object, q.graph_name)):
        return quads
    if _largest_twin_group(quads) <= _CANONICAL_TWINS:
        dataset = ox.Dataset(quads)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        labelled = list(dataset)
    else:
        labelled = _label_in_order(quads)
    canonical = sorted(str(q) for q in labelled)
    digest = hashlib.sha256("\n".join(canonical).encode()).hexdigest()[:16]
    prefix = f"{base}.well-known/genid/{digest}-"

    def fix(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> object:
        return ox.NamedNode(prefix + term.value) if isinstance(term, ox.BlankNode) else term

    return [ox.Quad(fix(q.subject), q.predicate, fix(q.object), fix(q.graph_name)) for q in labelled]  # type: ignore[arg-type]


def _has_blank_node(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode) or isinstance(
        quad.graph_name, ox.BlankNode)


def _refuse_xml_entities(path: Path) -> None:
    """Refuse an RDF/XML file that declares entities (billion laughs, external entities).

    The prolog is read by expat, which reports each ``<!ENTITY`` declaration before anything could
    expand it; parsing stops at the root element.
    """
    class _Root(Exception):
        pass

    parser = xml.parsers.expat.ParserCreate()

    def entity(name: str, *args: object) -> None:
        raise InputError(f"RDF/XML with a DTD entity declaration ({name}) is refused: entities are never expanded",
                         file=path, line=parser.CurrentLineNumber, column=parser.CurrentColumnNumber + 1)

    def root(*args: object) -> None:
        raise _Root

    parser.EntityDeclHandler = entity
    parser.StartElementHandler = root
    try:
        with path.open("rb") as file:
            while chunk := file.read(1 << 16):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Root:
        return
    except xml.parsers.expat.ExpatError as exc:
        raise InputError(f"not well-formed XML: {xml.parsers.expat.ErrorString(exc.code)}", file=path,
                         line=exc.lineno, column=exc.offset + 1) from None
    except OSError as exc:
        raise InputError(exc.strerror or "cannot read the file", file=path) from None


def iter_rdf_file(path: str | Path, *, format: RdfFormat | None = None) -> Iterator[ox.Quad]:
    """Parse an RDF file as a stream of quads, without touching the network or any other file.

    Oxigraph reads the file a little at a time, so memory does not grow with the file.
    Its parsers do not follow ``owl:imports`` and do not fetch remote JSON-LD contexts (an
    error); RDF/XML that declares entities is refused before parsing.

    Raises
    ------
    InputError
        For an unreadable file or a syntax error, with line and column where the parser gives them.
    """
    path = Path(path)
    format = format or RdfFormat.from_path(path)
    if not path.is_file():
        raise InputError("no such file" if not path.exists() else "not a file", file=path)
    if format is RdfFormat.RDFXML:
        _refuse_xml_entities(path)
    try:
        with path.open("rb") as file:  # opened here, read by Oxigraph a little at a time
            yield from ox.parse(file, format=format.oxigraph, base_iri=path.resolve().as_uri())
    except SyntaxError as exc:
        message = str(exc.msg if hasattr(exc, "msg") and exc.msg else exc).splitlines()[0] or "syntax error"
        message = _POSITION.sub("", message)
        raise InputError(message, file=path, line=getattr(exc, "lineno", None), column=getattr(exc, "offset", None)) from None
    except OSError as exc:
        raise InputError(exc.strerror or "cannot read the file", file=path) from None


def parse_rdf_file(path: str | Path, *, format: RdfFormat | None = None) -> list[ox.Quad]:
    """Parse an RDF file into a list of quads (:func:`iter_rdf_file`, all at once).

    Raises
    ------
    InputError
        For an unreadable file or a syntax error, with line and column where the parser gives them.
    """
    return list(iter_rdf_file(path, format=format))


_POSITION = re.compile(r"^Parser error (between|at) line \d+ column \d+( and line \d+ column \d+)?: ")


class Dataset:
    """Named graphs in an Oxigraph store, with the toolkit's graph names."""

    def __init__(self, *, base_iri: str = DEFAULT_BASE_IRI, store: ox.Store | None = None) -> None:
        self.graphs = GraphNames(base_iri)
        self.store = store if store is not None else ox.Store()

    # -- loading ---------------------------------------------------------------------------

    def add_nquads(self, data: bytes) -> None:
        """Add N-Quads text (as the mapper renders it)."""
        if data:
            self.store.load(data, format=ox.RdfFormat.N_QUADS)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads."""
        self.store.extend(quads)

    def add_graph(self, graph: str, triples: Iterable[ox.Triple | ox.Quad]) -> None:
        """Add ``triples`` into the named graph ``graph``, skolemising blank nodes."""
        name = ox.NamedNode(graph)
        quads = [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]
        self.store.extend(skolemize(quads, base=self.graphs.base))

    def replace_graph(self, graph: str, triples: Iterable[ox.Triple | ox.Quad]) -> None:
        """Replace the content of the named graph ``graph``."""
        name = ox.NamedNode(graph)
        if self.store.contains_named_graph(name):
            self.store.remove_graph(name)
        self.add_graph(graph, triples)

    @classmethod
    def from_file(cls, path: str | Path, *, base_iri: str = DEFAULT_BASE_IRI) -> Dataset:
        """Read a dataset from a TriG, N-Quads, Turtle, N-Triples or JSON-LD file."""
        dataset = cls(base_iri=base_iri)
        batch: list[ox.Quad] = []
        blank: list[ox.Quad] = []  # blank nodes are named once the whole file is read
        for quad in iter_rdf_file(path):
            (blank if _has_blank_node(quad) else batch).append(quad)
            if len(batch) >= 50_000:
                dataset.store.extend(batch)
                batch.clear()
        dataset.store.extend(batch)
        dataset.add_quads(skolemize(blank, base=base_iri))
        return dataset

    # -- reading ---------------------------------------------------------------------------

    def graph_names(self) -> list[str]:
        """The named graphs, sorted."""
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def triple_counts(self) -> dict[str, int]:
        """Number of triples in each named graph (and ``""`` for a non-empty default graph)."""
        counts: dict[str, int] = {}
        for solution in select(self.store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
            counts[solution["g"].value] = int(solution["n"].value)
        default = sum(1 for _ in self.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        if default:
            counts[""] = default
        return dict(sorted(counts.items()))

    def __len__(self) -> int:
        return len(self.store)

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """The quads of one graph, or of all graphs."""
        name = ox.NamedNode(graph) if graph else None
        return iter(self.store.quads_for_pattern(None, None, None, name))

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None = None,
        union: bool = True,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a SPARQL query; the default graph is the union of all graphs unless ``union=False``.

        ``substitutions`` binds variables to RDF terms before evaluation (the query text is never
        edited).
        """
        bindings = {ox.Variable(k): v for k, v in (substitutions or {}).items()}
        return self.store.query(sparql, use_default_graph_as_union=union, substitutions=bindings or None)

    # -- writing ---------------------------------------------------------------------------

    def canonical_ntriples(self) -> bytes:
        """The union of all graphs as canonical N-Triples: sorted, unique, one triple a line."""
        graphs: list[ox.NamedNode | ox.DefaultGraph] = [ox.NamedNode(g) for g in self.graph_names()]
        if any(True for _ in self.store.quads_for_pattern(None, None, None, ox.DefaultGraph())):
            graphs.append(ox.DefaultGraph())
        lines: set[bytes] = set()
        for graph in graphs:
            chunk = self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
            assert chunk is not None  # dump returns bytes when no output is given
            lines.update(line for line in chunk.split(b"\n") if line)
        return b"".join(line + b"\n" for line in sorted(lines))

    def serialize(self, format: RdfFormat = RdfFormat.TRIG) -> bytes:
        """Serialise the dataset; graph-less formats get the union of all graphs.

        Quads are written in sorted order, so every format is deterministic.
        """
        if format is RdfFormat.NTRIPLES:
            return self.canonical_ntriples()
        prefixes = PREFIXES if format in (RdfFormat.TRIG, RdfFormat.TURTLE) else None
        if format.supports_graphs:
            quads: list[ox.Quad] = sorted(self.store, key=_quad_key)
            data = ox.serialize(quads, format=format.oxigraph, prefixes=prefixes)
        else:
            triples = list(ox.parse(self.canonical_ntriples(), format=ox.RdfFormat.N_TRIPLES))
            data = ox.serialize(triples, format=format.oxigraph, prefixes=prefixes)
        assert data is not None
        return data


def _quad_key(quad: ox.Quad) -> tuple[str, str, str, str]:
    return (str(quad.graph_name), str(quad.subject), str(quad.predicate), str(quad.object))

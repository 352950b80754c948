"""The RDF dataset in named graphs, held in an Oxigraph store, and its serialisations.

Oxigraph is the engine for storage, SPARQL and serialisation; rdflib terms are used at the API
boundary. Canonical N-Triples output is the union of all graphs, one triple a line, sorted by code
point, without blank nodes: the same input gives the same bytes on every run and machine. Every
format is written in sorted order through an external merge sort (:data:`RUN_BYTES` of lines sorted
in memory at a time), so writing a dataset of any size needs about the same memory.

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

import contextlib
import enum
import hashlib
import heapq
import io
import itertools
import re
import tempfile
import warnings
import xml.parsers.expat
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, Self

import pyoxigraph as ox

from kg.errors import InputError, LiteralFormWarning
from kg.graphs import DEFAULT_BASE_IRI, GraphNames
from kg.vocabularies import PREFIXES

__all__ = ["PART_BYTES", "PART_STATEMENTS", "RUN_BYTES", "Dataset", "RdfFormat", "RewrittenLiterals", "deterministic_turtle", "iter_rdf_file",
           "parse_rdf_file", "read_in_parts", "select", "skolemize"]


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
    format = _readable(path, format)
    with _input_errors(path), path.open("rb") as file:  # opened here, read by Oxigraph a little at a time
        yield from ox.parse(file, format=format.oxigraph, base_iri=path.resolve().as_uri())


def _readable(path: Path, format: RdfFormat | None) -> RdfFormat:
    """The format of ``path``, once it is known to be a file Oxigraph may parse (no XML entities)."""
    format = format or RdfFormat.from_path(path)
    if not path.is_file():
        raise InputError("no such file" if not path.exists() else "not a file", file=path)
    if format is RdfFormat.RDFXML:
        _refuse_xml_entities(path)
    return format


@contextlib.contextmanager
def _input_errors(path: Path, *, first_line: int = 1) -> Iterator[None]:
    """Oxigraph's syntax errors and unreadable files as :class:`InputError`, with line and column
    (counted in the file when what was parsed starts at its line ``first_line``)."""
    try:
        yield
    except SyntaxError as exc:
        message = str(exc.msg if hasattr(exc, "msg") and exc.msg else exc).splitlines()[0] or "syntax error"
        message = _POSITION.sub("", message)
        line = getattr(exc, "lineno", None)
        raise InputError(message, file=path, line=None if line is None else line + first_line - 1,
                         column=getattr(exc, "offset", None)) from None
    except OSError as exc:
        raise InputError(exc.strerror or "cannot read the file", file=path) from None


_HAS_BLANK_NODE = """ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }
FILTER(isBlank(?s) || isBlank(?o) || isBlank(?g)) }"""


def _typed_literal_quads(path: Path, format: RdfFormat) -> Iterator[list[ox.Quad]]:
    """The quads of ``path`` that may hold a typed literal, in lists of at most 50,000.

    In N-Triples and N-Quads every statement is one line and a typed literal needs the ``^^``
    token, which no IRI and no other token holds (a string may: it is parsed and found plain), so
    only the lines with ``^^`` are parsed. Other formats are parsed whole.
    """
    if format in (RdfFormat.NTRIPLES, RdfFormat.NQUADS):
        with path.open("rb") as file:
            lines = (line for line in file if b"^^" in line)
            while chunk := list(itertools.islice(lines, 50_000)):
                yield list(ox.parse(b"".join(chunk), format=format.oxigraph))
        return
    quads = iter_rdf_file(path, format=format)
    while batch := list(itertools.islice(quads, 50_000)):
        yield batch


PART_STATEMENTS = 200_000
"""Statements :func:`read_in_parts` holds at a time (in formats other than N-Triples and N-Quads)."""
PART_BYTES = 32 * 1024 * 1024
"""Bytes of whole lines :func:`read_in_parts` holds at a time in N-Triples and N-Quads."""


def read_in_parts(path: str | Path, *, base_iri: str = DEFAULT_BASE_IRI, part: int = PART_STATEMENTS,
                  part_bytes: int = PART_BYTES, rewritten: RewrittenLiterals | None = None) -> Iterator[tuple[str, bytes]]:
    """Read a dataset file a part at a time, each part as the triples of each of its graphs.

    For each part (``part_bytes`` of whole lines in N-Triples and N-Quads, which Oxigraph parses
    without Python in between; ``part`` statements, quad by quad, in other formats), in the file's
    order, come ``(graph, data)`` pairs: a graph's IRI (``""`` for the default graph) and its triples
    as N-Triples, one a line, in the form an Oxigraph store holds them (what
    :meth:`Dataset.from_file` gives), each once in the part. A triple the file repeats may come
    again in a later part: the caller removes repeats. Memory holds one part, not the file. Blank
    nodes are skolemised as :meth:`Dataset.from_file` does, from the quads that hold one: those wait
    for the end of the file, and come last. Typed literals the store holds in another form are
    counted in ``rewritten``.

    Raises
    ------
    InputError
        For an unreadable file or a syntax error, with line and column where the parser gives them
        (when the part with the error comes; the earlier parts have come by then).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     file = Path(folder) / "two.nq"
    ...     _ = file.write_bytes(b'<http://e/a> <http://e/p> "1.50"^^<http://www.w3.org/2001/XMLSchema#decimal> <http://e/g> .\\n'
    ...                          b'<http://e/a> <http://e/p> _:x <http://e/h> .\\n')
    ...     for graph, data in read_in_parts(file, base_iri="http://e/"):
    ...         print(graph, data.decode().split()[2])
    http://e/g "1.5"^^<http://www.w3.org/2001/XMLSchema#decimal>
    http://e/h <http://e/.well-known/genid/c8f978174e92c7a7-c14n0>
    """
    path = Path(path)
    format = _readable(path, None)
    rewritten = rewritten if rewritten is not None else RewrittenLiterals()
    blank: list[ox.Quad] = []
    if format in (RdfFormat.NTRIPLES, RdfFormat.NQUADS):
        stores = _stores_of_lines(path, format, part_bytes=part_bytes, blank=blank, rewritten=rewritten)
    else:
        stores = _stores_of_quads(path, format, part=part, blank=blank, rewritten=rewritten)
    for store in stores:
        yield from _triples_by_graph(store)
    if blank:
        store = ox.Store()
        store.extend(skolemize(blank, base=base_iri))
        yield from _triples_by_graph(store)


def _stores_of_lines(path: Path, format: RdfFormat, *, part_bytes: int, blank: list[ox.Quad],
                     rewritten: RewrittenLiterals) -> Iterator[ox.Store]:
    """N-Triples or N-Quads, ``part_bytes`` of whole lines at a time (a statement is one line), each
    in a store."""
    base = path.resolve().as_uri()
    first_line = 1
    with _input_errors(path), path.open("rb") as file:
        while data := file.read(part_bytes):
            if not data.endswith(b"\n"):
                data += file.readline()
            store = ox.Store()
            with _input_errors(path, first_line=first_line):
                if b"_:" in data:  # no blank node without it; with it, the parser decides
                    quads = list(ox.parse(data, format=format.oxigraph, base_iri=base))
                    blank.extend(q for q in quads if _has_blank_node(q))
                    rewritten.check(quads)
                    store.extend(q for q in quads if not _has_blank_node(q))
                else:
                    # Without transactions (a store nobody else sees): faster than load().
                    store.bulk_load(data, format=format.oxigraph, base_iri=base)
                    # A typed literal needs the ^^ token, which no IRI and no other token holds.
                    typed = [line for line in data.splitlines(keepends=True) if b"^^" in line]
                    rewritten.check(ox.parse(b"".join(typed), format=format.oxigraph, base_iri=base))
            first_line += data.count(b"\n")
            yield store


def _quad_batches(path: Path, format: RdfFormat | None, *, part: int, blank: list[ox.Quad],
                  rewritten: RewrittenLiterals) -> Iterator[list[ox.Quad]]:
    """The quads of ``path`` without a blank node, ``part`` read at a time; those with one go to
    ``blank`` (they are named once the whole file is read). Literals are checked into ``rewritten``."""
    quads = iter_rdf_file(path, format=format)
    while batch := list(itertools.islice(quads, part)):
        rewritten.check(batch)
        blank.extend(q for q in batch if _has_blank_node(q))
        yield [q for q in batch if not _has_blank_node(q)]


def _stores_of_quads(path: Path, format: RdfFormat, *, part: int, blank: list[ox.Quad],
                     rewritten: RewrittenLiterals) -> Iterator[ox.Store]:
    """Any other format, ``part`` quads at a time, each in a store."""
    for batch in _quad_batches(path, format, part=part, blank=blank, rewritten=rewritten):
        store = ox.Store()
        store.extend(batch)
        yield store


def _triples_by_graph(store: ox.Store) -> Iterator[tuple[str, bytes]]:
    graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = sorted(store.named_graphs(), key=str)
    graphs.append(ox.DefaultGraph())
    for graph in graphs:
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        assert data is not None  # dump() returns bytes when given no output
        if data:
            yield ("" if isinstance(graph, ox.DefaultGraph) else graph.value), data


def parse_rdf_file(path: str | Path, *, format: RdfFormat | None = None) -> list[ox.Quad]:
    """Parse an RDF file into a list of quads (:func:`iter_rdf_file`, all at once).

    Raises
    ------
    InputError
        For an unreadable file or a syntax error, with line and column where the parser gives them.
    """
    return list(iter_rdf_file(path, format=format))


_POSITION = re.compile(r"^Parser error (between|at) line \d+ column \d+( and line \d+ column \d+)?: ")


RUN_BYTES = 256 * 1024 * 1024
"""Bytes of N-Triples lines sorted in memory at a time when writing; more go through sorted runs on
disk (an external merge sort), so the memory a dump needs does not grow with the dataset."""
_MERGED_AT_ONCE = 200


def _sorted_unique_lines(blocks: Iterable[list[bytes]], *, run_bytes: int, scratch: Path) -> Iterator[bytes]:
    """The distinct lines of ``blocks`` (lists of lines without their newline), sorted by byte (that
    is, by code point): sorted in memory up to ``run_bytes`` at a time, the sorted runs written to
    ``scratch`` and merged."""
    runs: list[Path] = []
    lines: list[bytes] = []
    size = 0

    def spill() -> None:
        nonlocal lines, size
        path = scratch / f"run-{len(runs):05d}"
        with open(path, "wb") as handle:
            _write_lines(handle, sorted(set(lines)))
        runs.append(path)
        lines, size = [], 0

    for block in blocks:
        lines.extend(block)
        size += sum(map(len, block)) + 50 * len(block)  # the objects' own size counts too
        if size >= run_bytes:
            spill()
    if not runs:  # everything fitted in memory: no file
        yield from sorted(set(lines))
        return
    if lines:
        spill()
    level = 0
    while len(runs) > _MERGED_AT_ONCE:  # a file handle per run: merge them in groups first
        level += 1
        groups = [runs[i:i + _MERGED_AT_ONCE] for i in range(0, len(runs), _MERGED_AT_ONCE)]
        runs = []
        for number, group in enumerate(groups):
            merged = scratch / f"merged-{level}-{number:05d}"
            with open(merged, "wb") as handle:
                handle.writelines(_merge(group))
            for path in group:
                path.unlink()
            runs.append(merged)
    for line in _merge(runs):
        yield line.rstrip(b"\n")
    for path in runs:
        path.unlink()


def _line_blocks(handle: BinaryIO, size: int) -> Iterator[list[bytes]]:
    """The lines of ``handle`` without their newline, read ``size`` bytes at a time (blank lines dropped)."""
    rest = b""
    while data := handle.read(size):
        data = rest + data
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
            continue
        rest = data[cut + 1:]
        yield [line for line in data[:cut].split(b"\n") if line]
    if rest.strip():
        yield [rest]


def _merge(runs: list[Path]) -> Iterator[bytes]:
    """The distinct lines of sorted run files, in order, each with its newline."""
    handles = [open(path, "rb") for path in runs]  # noqa: SIM115 - closed below
    try:
        previous = None
        for line in heapq.merge(*handles):
            if line != previous:
                yield line
                previous = line
    finally:
        for handle in handles:
            handle.close()


_XSD = PREFIXES["xsd"]
_AS_WRITTEN = {_XSD + "string"}  # Oxigraph keeps these literals as they are written; other XSD types by value


class RewrittenLiterals:
    """Typed literals a store holds in another form than the file wrote them (see
    :class:`~kg.errors.LiteralFormWarning`): how many, and the first few as (written, held)."""

    def __init__(self) -> None:
        self.count = 0
        self.examples: list[tuple[str, str]] = []

    def check(self, quads: Iterable[ox.Quad]) -> None:
        """Count the literals of ``quads`` that an Oxigraph store would hold in another form."""
        objects = {quad.object for quad in quads}  # each term once: reading a term's parts makes new objects
        written = [o for o in objects if isinstance(o, ox.Literal)
                   and (datatype := o.datatype.value).startswith(_XSD) and datatype not in _AS_WRITTEN]
        if not written:
            return
        # The store itself says what it makes of each literal (no second implementation of XSD).
        probe = ox.Store()
        predicate = ox.NamedNode("urn:kikg:probe")
        probe.extend(ox.Quad(ox.NamedNode(f"urn:kikg:probe:{i}"), predicate, literal) for i, literal in enumerate(written))
        for quad in probe:
            original = written[int(quad.subject.value.rsplit(":", 1)[1])]
            held = quad.object
            if isinstance(held, ox.Literal) and (held.value, held.datatype) != (original.value, original.datatype):
                self.count += 1
                if len(self.examples) < 3:
                    self.examples.append((str(original), str(held)))

    def message(self, path: str | Path) -> str:
        """One line for the user, naming the file and the first examples."""
        shown = re.sub(f"<{re.escape(_XSD)}(\\w+)>", r"xsd:\1", ", ".join(f"{a} as {b}" for a, b in sorted(self.examples)))
        plural = "s are" if self.count != 1 else " is"
        return (f"{path}: {self.count} typed literal{plural} held in canonical form, by value (for example {shown}); "
                "queries, exports and loads see that form")


class Dataset:
    """Named graphs in an Oxigraph store, with the toolkit's graph names."""

    def __init__(self, *, base_iri: str = DEFAULT_BASE_IRI, store: ox.Store | None = None) -> None:
        self.graphs = GraphNames(base_iri)
        self.store = store if store is not None else ox.Store()
        self.rewritten_literals = RewrittenLiterals()

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
        """Read a dataset from a TriG, N-Quads, Turtle, N-Triples or JSON-LD file.

        Typed literals that the store holds in another form than the file's (``"1.50"^^xsd:decimal``
        as ``"1.5"``) are counted in :attr:`rewritten_literals` and reported with a
        :class:`~kg.errors.LiteralFormWarning`: never changed silently.
        """
        dataset = cls(base_iri=base_iri)
        path = Path(path)
        format = _readable(path, None)
        # Oxigraph reads the file on its own, several times faster than quad by quad through
        # Python; only the typed literals come to Python, for the check.
        with _input_errors(path), path.open("rb") as file:
            dataset.store.load(file, format=format.oxigraph, base_iri=path.resolve().as_uri())
        if dataset.store.query(_HAS_BLANK_NODE, use_default_graph_as_union=False):
            # The store names blank nodes at random; skolemising needs the file's own order.
            return cls._from_file_quad_by_quad(path, base_iri=base_iri)
        with _input_errors(path):
            for quads in _typed_literal_quads(path, format):
                dataset.rewritten_literals.check(quads)
        if dataset.rewritten_literals.count:
            warnings.warn(dataset.rewritten_literals.message(path), LiteralFormWarning, stacklevel=2)
        return dataset

    @classmethod
    def _from_file_quad_by_quad(cls, path: Path, *, base_iri: str) -> Dataset:
        dataset = cls(base_iri=base_iri)
        blank: list[ox.Quad] = []
        for batch in _quad_batches(path, None, part=50_000, blank=blank, rewritten=dataset.rewritten_literals):
            dataset.store.extend(batch)
        dataset.add_quads(skolemize(blank, base=base_iri))
        if dataset.rewritten_literals.count:
            warnings.warn(dataset.rewritten_literals.message(path), LiteralFormWarning, stacklevel=3)
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

    def query(self, sparql: str, *, union: bool = True) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a SPARQL query; the default graph is the union of all graphs unless ``union=False``.

        Parameters of canned queries are bound by :func:`kg.queries.run_local` (a ``VALUES`` block of
        RDF terms, as on a remote endpoint), not here.
        """
        return self.store.query(sparql, use_default_graph_as_union=union)

    # -- writing ---------------------------------------------------------------------------

    def _graphs(self) -> list[ox.NamedNode | ox.DefaultGraph]:
        """The graphs holding quads, in the order of their names as text (the default graph last)."""
        graphs: list[ox.NamedNode | ox.DefaultGraph] = [ox.NamedNode(g) for g in self.graph_names()]
        if any(True for _ in self.store.quads_for_pattern(None, None, None, ox.DefaultGraph())):
            graphs.append(ox.DefaultGraph())
        return sorted(graphs, key=str)

    def _graph_lines(self, graph: ox.NamedNode | ox.DefaultGraph, scratch: Path, block: int) -> Iterator[list[bytes]]:
        """The N-Triples lines of one graph as Oxigraph writes them (to a scratch file, streaming), in
        blocks of about ``block`` bytes."""
        path = scratch / "graph.nt"
        self.store.dump(str(path), format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        try:
            with open(path, "rb") as handle:
                yield from _line_blocks(handle, block)
        finally:
            path.unlink(missing_ok=True)

    def write(self, target: str | Path | BinaryIO, format: RdfFormat = RdfFormat.TRIG, *,
              run_bytes: int = RUN_BYTES) -> int:
        """Write the dataset to ``target`` (a path or a binary file); return the number of statements
        written (triples, or quads for the formats with graphs).

        The output is sorted, so the same dataset gives the same bytes (see :meth:`serialize`); the
        sort holds at most about ``run_bytes`` of lines in memory and merges sorted runs from disk
        beyond (in a scratch folder beside a ``target`` path), whatever the size of the dataset.
        """
        where = Path(target).parent if isinstance(target, (str, Path)) else None
        with tempfile.TemporaryDirectory(prefix=".kikg-sort-", dir=where) as folder, _opened(target) as out:
            scratch = Path(folder)
            if format is RdfFormat.NTRIPLES:
                return _write_lines(out, self._sorted_lines(self._graphs(), scratch, run_bytes))
            union = scratch / "union.nt"
            prefixes = dict(PREFIXES) if format in (RdfFormat.TRIG, RdfFormat.TURTLE) else None
            if not format.supports_graphs:
                with open(union, "wb") as handle:
                    _write_lines(handle, self._sorted_lines(self._graphs(), scratch, run_bytes))
                counted = _Counted(ox.parse(path=str(union), format=ox.RdfFormat.N_TRIPLES))
            else:
                counted = _Counted(self._sorted_quads(scratch, run_bytes))
            ox.serialize(counted, output=out, format=format.oxigraph, prefixes=prefixes)
            return counted.count

    def _sorted_lines(self, graphs: list[ox.NamedNode | ox.DefaultGraph], scratch: Path, run_bytes: int) -> Iterator[bytes]:
        block = min(run_bytes, 16 * 1024 * 1024)
        blocks = (lines for graph in graphs for lines in self._graph_lines(graph, scratch, block))
        return _sorted_unique_lines(blocks, run_bytes=run_bytes, scratch=scratch)

    def _sorted_quads(self, scratch: Path, run_bytes: int) -> Iterator[ox.Quad]:
        """Every quad, by graph name as text, then subject, predicate and object as text (the order of
        the sorted N-Triples lines of each graph)."""
        for graph in self._graphs():
            sorted_graph = scratch / "sorted-graph.nt"
            with open(sorted_graph, "wb") as handle:
                _write_lines(handle, self._sorted_lines([graph], scratch, run_bytes))
            for triple in ox.parse(path=str(sorted_graph), format=ox.RdfFormat.N_TRIPLES):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)

    def write_canonical_ntriples(self, target: str | Path | BinaryIO, *, run_bytes: int = RUN_BYTES) -> int:
        """Write the union of all graphs as canonical N-Triples (sorted, unique, one triple a line) to
        ``target``; return the number of triples. Memory stays bounded (see :meth:`write`)."""
        return self.write(target, RdfFormat.NTRIPLES, run_bytes=run_bytes)

    def canonical_ntriples(self) -> bytes:
        """The union of all graphs as canonical N-Triples: sorted, unique, one triple a line."""
        return self.serialize(RdfFormat.NTRIPLES)

    def serialize(self, format: RdfFormat = RdfFormat.TRIG) -> bytes:
        """Serialise the dataset; graph-less formats get the union of all graphs.

        Quads are written in sorted order, so every format is deterministic. For a large dataset,
        :meth:`write` to a file needs less memory.
        """
        buffer = io.BytesIO()
        self.write(buffer, format)
        return buffer.getvalue()


class _Counted(Iterator[Any]):
    """An iterator that counts what goes through it."""

    def __init__(self, items: Iterator[Any]) -> None:
        self._items = items
        self.count = 0

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> Any:
        item = next(self._items)
        self.count += 1
        return item


@contextlib.contextmanager
def _opened(target: str | Path | BinaryIO) -> Iterator[BinaryIO]:
    if isinstance(target, (str, Path)):
        with open(target, "wb") as handle:
            yield handle
    else:
        yield target


def _write_lines(out: BinaryIO, lines: Iterable[bytes]) -> int:
    count = 0
    iterator = iter(lines)
    while batch := list(itertools.islice(iterator, 65536)):
        out.write(b"\n".join(batch) + b"\n")
        count += len(batch)
    return count

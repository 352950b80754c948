"""The shapes graph, and its reading into the shapes the Oxigraph engine runs.

:class:`ShapesGraph` holds the triples of the shapes files with indexes. :func:`compile_shapes`
reads every shape with a target into :class:`~kg.validation.components.Shape` objects: SHACL Core
(every component, every path form, the four targets and implicit class targets) and SHACL-SPARQL
(``sh:sparql`` constraints and SPARQL-based constraint components). What the engine does not
implement is never skipped:

* SHACL Advanced Features (rules, functions, custom targets, node expressions) are handed to
  pySHACL: the shapes that use them (:attr:`ShapesModel.handovers`), or the whole shapes graph when
  rules or functions can change what every shape sees;
* anything else is refused with :class:`~kg.errors.ShapesError` (exit 2): SHACL-JavaScript, an
  ``sh:`` predicate SHACL does not define, an ill-formed parameter, recursive shapes, and the SPARQL
  refused by :mod:`kg.validation.sparql`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg._resources import SHAPES_DIR
from kg.dataset import RdfFormat, parse_rdf_file
from kg.errors import InputError, ShapesError
from kg.validation import components as c
from kg.validation.components import Constraint, Shape
from kg.validation.paths import PathError, read_path
from kg.validation.report import Severity
from kg.validation.sparql import NeedsReference, prepare_query
from kg.validation.terms import OWL, RDF, RDFS, SH, XSD, Term, list_items

__all__ = ["ShapesGraph", "ShapesModel", "compile_shapes", "load_shapes_graph", "read_rdf_files"]

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)

_CORE = {SH.class_, SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.minExclusive, SH.minInclusive,
         SH.maxExclusive, SH.maxInclusive, SH.minLength, SH.maxLength, SH.pattern, SH.flags, SH.languageIn,
         SH.uniqueLang, SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals, SH.not_, SH.and_, SH.or_, SH.xone,
         SH.node, SH.property, SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount,
         SH.qualifiedValueShapesDisjoint, SH.closed, SH.ignoredProperties, SH.hasValue, SH.in_, SH.sparql}
_SH = SH.namespace
# SHACL terms that describe a shape without constraining it.
_DESCRIPTIVE = {_SH + n for n in ("path", "message", "severity", "deactivated", "name", "description", "order",
                                  "group", "defaultValue", "labelTemplate", "targetClass", "targetNode",
                                  "targetSubjectsOf", "targetObjectsOf", "declare", "prefixes", "parameter",
                                  "validator", "nodeValidator", "propertyValidator", "optional", "select", "ask",
                                  "suggestedShapesGraph", "shapesGraph", "returnType", "labelTemplate")}
# SHACL Advanced Features: pySHACL's (advanced mode) to run.
_ADVANCED_LOCAL = {_SH + n for n in ("target", "expression", "values", "filterShape", "nodes", "intersection",
                                     "union", "resultAnnotation", "annotationProperty", "annotationValue",
                                     "annotationVarName")}
_ADVANCED_GLOBAL = {_SH + n for n in ("rule", "condition", "construct")}
_JAVASCRIPT = {_SH + n for n in ("js", "jsFunctionName", "jsLibrary", "jsLibraryURL")}
# Rules change the data every shape sees, and functions can be called from any query.
_ADVANCED_CLASSES = {_SH + n for n in ("SPARQLFunction", "Function", "SPARQLRule", "TripleRule")}


class ShapesGraph:
    """The triples of a shapes graph, indexed by subject and by predicate and object."""

    def __init__(self, triples: Iterable[ox.Triple | ox.Quad], *, sources: Sequence[str] = ()) -> None:
        self.triples: list[ox.Triple] = list(dict.fromkeys(ox.Triple(t.subject, t.predicate, t.object) for t in triples))
        self.sources = tuple(sources)
        self.index: dict[Term, dict[ox.NamedNode, list[Term]]] = defaultdict(lambda: defaultdict(list))
        self.by_predicate: dict[ox.NamedNode, dict[Term, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for t in self.triples:
            subject, obj = _plain(t.subject, self.sources), _plain(t.object, self.sources)
            self.index[subject][t.predicate].append(obj)
            self.by_predicate[t.predicate][obj].append(subject)

    def __len__(self) -> int:
        return len(self.triples)

    def objects(self, subject: Term, predicate: ox.NamedNode) -> list[Term]:
        """The objects of ``subject predicate ?``."""
        properties = self.index.get(subject)
        return list(properties.get(predicate, ())) if properties else []

    def subjects(self, predicate: ox.NamedNode, obj: Term | None = None) -> list[Term]:
        """The subjects of ``? predicate obj`` (any object when ``obj`` is None)."""
        objects = self.by_predicate.get(predicate, {})
        if obj is not None:
            return list(objects.get(obj, ()))
        return list(dict.fromkeys(s for subjects in objects.values() for s in subjects))

    def superclasses(self, cls: Term) -> set[Term]:
        """``cls`` and its superclasses (``rdfs:subClassOf*``) in the shapes graph."""
        seen, frontier = {cls}, [cls]
        while frontier:
            for parent in self.objects(frontier.pop(), RDFS.subClassOf):
                if parent not in seen:
                    seen.add(parent)
                    frontier.append(parent)
        return seen

    def is_instance(self, node: Term, *classes: ox.NamedNode) -> bool:
        """Whether ``node`` is a SHACL instance of one of ``classes`` (``rdf:type/rdfs:subClassOf*``)."""
        return any(self.superclasses(t) & set(classes) for t in self.objects(node, RDF.type))

    def items(self, head: Term) -> list[Term] | None:
        """The members of an RDF list, None if ``head`` starts no well-formed list."""
        return list_items(self.index, head)

    def reachable_shapes(self, nodes: Iterable[Term]) -> list[Term]:
        """``nodes`` and every shape they use through sh:property, sh:node, sh:not, sh:and, sh:or, sh:xone
        and sh:qualifiedValueShape, in a stable order."""
        seen: dict[Term, None] = {}
        frontier = list(nodes)
        while frontier:
            node = frontier.pop()
            if node in seen:
                continue
            seen[node] = None
            for predicate in (SH.property, SH.node, SH.not_, SH.qualifiedValueShape):
                frontier.extend(self.objects(node, predicate))
            for predicate in (SH.and_, SH.or_, SH.xone):
                for head in self.objects(node, predicate):
                    frontier.extend(self.items(head) or [])
        return sorted(seen, key=str)


def _plain(term: object, sources: Sequence[str]) -> Term:
    if isinstance(term, ox.Triple):
        raise ShapesError("quoted triples (RDF-star) have no meaning in a shapes graph", file=", ".join(sources) or None)
    return term  # type: ignore[return-value]


def load_shapes_graph(paths: Path | Sequence[Path] | None = None) -> ShapesGraph:
    """Read shapes files into one graph: a file, a folder (its RDF files), several, or the project's ``shapes/``.

    Blank nodes are kept apart between files. No file but the named ones is read and nothing is
    fetched (``owl:imports`` stay triples).

    Raises
    ------
    InputError
        For an unreadable file or a syntax error (line and column), or a folder without RDF files.
    """
    if paths is None:
        paths = [SHAPES_DIR]
    elif isinstance(paths, str | Path):
        paths = [Path(paths)]
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and _is_rdf(p))
            if not found:
                raise InputError("no RDF files (.ttl, .nt, .nq, .trig, .jsonld, .rdf) in this folder", file=path)
            files.extend(found)
        else:
            files.append(path)
    return ShapesGraph(read_rdf_files(files, tag="s"), sources=[str(p) for p in files])


def _is_rdf(path: Path) -> bool:
    try:
        RdfFormat.from_path(path)
    except InputError:
        return False
    return True


def read_rdf_files(paths: Sequence[Path], *, tag: str) -> list[ox.Quad]:
    """The quads of RDF files, parsed as written (no store normalises the literals).

    Blank node labels are local to a document, so those of the second file on are made unique
    (``{tag}{number}x{label}``); the first file keeps its labels, as a user sees them.
    """
    quads: list[ox.Quad] = []
    for number, path in enumerate(paths):
        parsed = parse_rdf_file(path)
        if number == 0:
            quads.extend(parsed)
            continue

        def fix(term: object, number: int = number) -> object:
            return ox.BlankNode(f"{tag}{number}x{term.value}") if isinstance(term, ox.BlankNode) else term

        quads.extend(ox.Quad(fix(q.subject), q.predicate, fix(q.object), fix(q.graph_name))  # type: ignore[arg-type]
                     for q in parsed)
    return quads


@dataclass
class ShapesModel:
    """The shapes with targets the Oxigraph engine validates, and what it hands to pySHACL."""

    graph: ShapesGraph
    shapes: list[tuple[Shape, list[tuple[ox.NamedNode, Term]]]] = field(default_factory=list)
    """Each shape with its targets (target predicate, value); implicit class targets as ``sh:targetClass``."""
    handed_over: list[Term] = field(default_factory=list)
    """Shapes pySHACL validates; all of them when :attr:`whole` is set."""
    reasons: list[str] = field(default_factory=list)
    whole: bool = False
    """Whether the whole shapes graph goes to pySHACL (rules or functions change what every shape sees)."""
    advanced: bool = False
    """Whether pySHACL needs its SHACL Advanced Features mode."""
    rdflib_engine: bool = False
    """Whether pySHACL must query with rdflib's SPARQL engine (on a copy of the data), not Oxigraph's."""


def compile_shapes(graph: ShapesGraph) -> ShapesModel:
    """Read the shapes with targets of ``graph`` into the model the engine runs.

    Raises
    ------
    ShapesError
        For a shapes graph the validator refuses (see the module documentation).
    """
    model = ShapesModel(graph)
    _refuse_javascript(graph)
    global_features = sorted({t.predicate.value for t in graph.triples if t.predicate.value in _ADVANCED_GLOBAL}
                             | {t.object.value for t in graph.triples if t.predicate == RDF.type
                                and isinstance(t.object, ox.NamedNode) and t.object.value in _ADVANCED_CLASSES})
    compiler = _Compiler(graph)
    top = _shapes_with_targets(graph)
    if global_features:
        model.whole, model.advanced = True, True
        model.handed_over = top
        model.reasons.append("SHACL Advanced Features that change what every shape sees: "
                             + ", ".join(_curie(f) for f in global_features))
        return model
    for node in top:
        before = set(compiler.compiled)
        try:
            shape = compiler.shape(node)
            compiler.check_complete()
        except NeedsReference as signal:
            compiler.roll_back(before)
            model.handed_over.append(node)
            model.reasons.append(signal.reason)
            model.advanced = model.advanced or signal.reason.startswith("SHACL Advanced")
            model.rdflib_engine = model.rdflib_engine or signal.rdflib_engine
            if isinstance(node, ox.BlankNode):
                # pySHACL selects shapes by IRI: a blank node shape takes the whole graph with it.
                model.whole = True
            continue
        targets = [(kind, value) for kind in TARGETS for value in graph.objects(node, kind)]
        if _implicit_class_target(graph, node):
            targets.append((SH.targetClass, node))
        model.shapes.append((shape, targets))
    # pySHACL validates the shapes it is given and skips the shapes they use unless given too: it
    # gets every shape the handed-over ones use, and a shape with targets among them is its alone.
    while not model.whole and model.handed_over:
        used = set(graph.reachable_shapes(model.handed_over))
        moving = [shape.node for shape, _ in model.shapes if shape.node in used and shape.node not in model.handed_over]
        if not moving:
            break
        model.handed_over.extend(moving)
        model.shapes = [(shape, targets) for shape, targets in model.shapes if shape.node not in moving]
        model.whole = any(isinstance(node, ox.BlankNode) for node in moving)
    if model.whole:
        model.shapes = []
        model.handed_over = top
    return model


def _refuse_javascript(graph: ShapesGraph) -> None:
    for t in graph.triples:
        if t.predicate.value in _JAVASCRIPT or (t.predicate == RDF.type and isinstance(t.object, ox.NamedNode)
                                                and t.object.value.startswith(_SH + "JS")):
            raise ShapesError(f"{_name(_plain(t.subject, graph.sources))} uses SHACL-JavaScript ({_curie(t.predicate.value)}), "
                              "which this validator does not run", file=_file(graph))


def _shapes_with_targets(graph: ShapesGraph) -> list[Term]:
    nodes: dict[Term, None] = {}
    for kind in (*TARGETS, SH.target):
        nodes.update(dict.fromkeys(graph.subjects(kind)))
    for kind in (RDFS.Class, OWL.Class):
        for cls in graph.subjects(RDF.type, kind):
            if _implicit_class_target(graph, cls):
                nodes[cls] = None
    for shape_class in (SH.NodeShape, SH.PropertyShape):
        for node in graph.subjects(RDF.type, shape_class):
            if _implicit_class_target(graph, node):
                nodes[node] = None
    return sorted(nodes, key=str)


def _implicit_class_target(graph: ShapesGraph, node: Term) -> bool:
    """A shape that is also a class targets the instances of that class (SHACL 2.1.3.3)."""
    return (isinstance(node, ox.NamedNode) and graph.is_instance(node, RDFS.Class, OWL.Class)
            and graph.is_instance(node, SH.NodeShape, SH.PropertyShape))


def _name(node: Term) -> str:
    return node.value if isinstance(node, ox.NamedNode) else "_:" + node.value


def _curie(iri: str) -> str:
    return "sh:" + iri[len(_SH):] if iri.startswith(_SH) else iri


def _file(graph: ShapesGraph) -> str | None:
    return ", ".join(graph.sources) or None


class _Compiler:
    """Reads shapes from the graph, each once (nested shapes may be shared or recursive)."""

    def __init__(self, graph: ShapesGraph) -> None:
        self.graph = graph
        self.compiled: dict[Term, Shape] = {}
        self.pending: list[tuple[Shape, Term]] = []
        self.components = self._components()
        self.functions = frozenset(n.value for cls in ("SPARQLFunction", "Function")
                                   for n in graph.subjects(RDF.type, ox.NamedNode(_SH + cls))
                                   if isinstance(n, ox.NamedNode))

    def error(self, node: Term, reason: str) -> ShapesError:
        return ShapesError(f"shape {_name(node)}: {reason}", file=_file(self.graph))

    def shape(self, node: Term) -> Shape:
        if node in self.compiled:
            return self.compiled[node]
        if isinstance(node, ox.Literal):
            raise ShapesError(f"a literal ({node}) is used as a shape", file=_file(self.graph))
        g = self.graph
        paths = g.objects(node, SH.path)
        if len(paths) > 1:
            raise self.error(node, "has more than one sh:path")
        try:
            path = read_path(g.index, paths[0]) if paths else None
        except PathError as exc:
            raise self.error(node, str(exc)) from None
        severities = g.objects(node, SH.severity)
        if len(severities) > 1 or (severities and not isinstance(severities[0], ox.NamedNode)):
            raise self.error(node, "sh:severity takes one IRI")
        shape = Shape(
            node=node,
            path=path,
            severity=Severity.from_iri(severities[0]) if severities else Severity.VIOLATION,
            messages=tuple(m.value for m in g.objects(node, SH.message) if isinstance(m, ox.Literal)),
            deactivated=any(_boolean(v) for v in g.objects(node, SH.deactivated)),
        )
        self.compiled[node] = shape
        self.pending.append((shape, node))
        return shape

    def check_complete(self) -> None:
        """Compile the constraints of every shape read so far (nested shapes are read on the way)."""
        while self.pending:
            shape, node = self.pending.pop()
            shape.constraints = self.constraints(shape, node)

    def roll_back(self, keep: set[Term]) -> None:
        """Forget the shapes read since ``keep``: one of them needs pySHACL, so all that reach it do."""
        for node in set(self.compiled) - keep:
            del self.compiled[node]
        self.pending = []

    # -- constraints of one shape -------------------------------------------------------------

    def constraints(self, shape: Shape, node: Term) -> list[Constraint]:
        g = self.graph
        properties = g.index.get(node, {})
        for predicate in properties:
            iri = predicate.value
            if iri in _ADVANCED_LOCAL:
                raise NeedsReference(f"SHACL Advanced Features: shape {shape.name} uses {_curie(iri)}")
            if iri.startswith(_SH) and predicate not in _CORE and iri not in _DESCRIPTIVE:
                raise self.error(node, f"{_curie(iri)} is not a SHACL term this validator knows")
        constraints: list[Constraint] = []
        values = {p: properties.get(p, []) for p in _CORE}
        is_property = shape.path is not None
        for cls in values[SH.class_]:
            constraints.append(c.ClassConstraint(cls))
        for datatype in values[SH.datatype]:
            constraints.append(c.DatatypeConstraint(self.iri(node, SH.datatype, datatype)))
        for kind in values[SH.nodeKind]:
            if kind not in c._NODE_KINDS:
                raise self.error(node, f"sh:nodeKind {kind} is not a node kind")
            constraints.append(c.NodeKindConstraint(kind))  # type: ignore[arg-type]
        for parameter in (SH.minCount, SH.maxCount):
            for value in values[parameter]:
                if not is_property:
                    raise self.error(node, f"{_curie(parameter.value)} applies to property shapes only")
                constraints.append(c.CountConstraint(parameter == SH.maxCount, self.integer(node, parameter, value)))
        for parameter in (SH.minExclusive, SH.minInclusive, SH.maxExclusive, SH.maxInclusive):
            for value in values[parameter]:
                if not isinstance(value, ox.Literal):
                    raise self.error(node, f"{_curie(parameter.value)} takes a literal")
                constraints.append(c.RangeConstraint(parameter, value))
        for parameter in (SH.minLength, SH.maxLength):
            for value in values[parameter]:
                constraints.append(c.LengthConstraint(parameter == SH.maxLength, self.integer(node, parameter, value)))
        flags = values[SH.flags]
        if len(flags) > 1 or (flags and not isinstance(flags[0], ox.Literal)):
            raise self.error(node, "sh:flags takes one string")
        for pattern in values[SH.pattern]:
            if not isinstance(pattern, ox.Literal):
                raise self.error(node, "sh:pattern takes a string")
            constraints.append(c.PatternConstraint(pattern, flags[0] if flags else None))  # type: ignore[arg-type]
        for head in values[SH.languageIn]:
            ranges = self.list(node, SH.languageIn, head)
            if not all(isinstance(r, ox.Literal) for r in ranges):
                raise self.error(node, "sh:languageIn takes a list of strings")
            constraints.append(c.LanguageInConstraint(tuple(r.value for r in ranges)))
        if any(_boolean(v) for v in values[SH.uniqueLang]):
            if not is_property:
                raise self.error(node, "sh:uniqueLang applies to property shapes only")
            constraints.append(c.UniqueLangConstraint())
        for parameter in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
            for other in values[parameter]:
                if parameter in (SH.lessThan, SH.lessThanOrEquals) and not is_property:
                    raise self.error(node, f"{_curie(parameter.value)} applies to property shapes only")
                constraints.append(c.PairConstraint(parameter, self.iri(node, parameter, other)))
        for other in values[SH.not_]:
            constraints.append(c.NotConstraint(self.shape(other)))
        for operator in (SH.and_, SH.or_, SH.xone):
            for head in values[operator]:
                members = tuple(self.shape(m) for m in self.list(node, operator, head))
                constraints.append(c.LogicalConstraint(operator, members))
        for other in values[SH.node]:
            constraints.append(c.NodeConstraint(self.shape(other)))
        for other in values[SH.property]:
            nested = self.shape(other)
            if nested.path is None:
                raise self.error(node, f"the value {_name(other)} of sh:property has no sh:path")
            constraints.append(c.PropertyConstraint(nested))
        constraints.extend(self.qualified(shape, node, values))
        if any(_boolean(v) for v in values[SH.closed]):
            allowed = {p for p in (self.iri(node, SH.path, v) for prop in values[SH.property]
                                   for v in g.objects(prop, SH.path) if isinstance(v, ox.NamedNode))}
            for head in values[SH.ignoredProperties]:
                allowed |= {self.iri(node, SH.ignoredProperties, m) for m in self.list(node, SH.ignoredProperties, head)}
            constraints.append(c.ClosedConstraint(frozenset(allowed)))
        for expected in values[SH.hasValue]:
            constraints.append(c.HasValueConstraint(expected))
        for head in values[SH.in_]:
            constraints.append(c.InConstraint(tuple(self.list(node, SH.in_, head))))
        for constraint in values[SH.sparql]:
            sparql = self.sparql_constraint(shape, constraint)
            if sparql is not None:
                constraints.append(sparql)
        constraints.extend(self.custom(shape, node))
        return constraints

    def qualified(self, shape: Shape, node: Term, values: dict[ox.NamedNode, list[Term]]) -> list[Constraint]:
        g = self.graph
        constraints: list[Constraint] = []
        minimums = [self.integer(node, SH.qualifiedMinCount, v) for v in values[SH.qualifiedMinCount]]
        maximums = [self.integer(node, SH.qualifiedMaxCount, v) for v in values[SH.qualifiedMaxCount]]
        for other in values[SH.qualifiedValueShape]:
            if shape.path is None:
                raise self.error(node, "sh:qualifiedValueShape applies to property shapes only")
            qualified = self.shape(other)
            siblings: tuple[Shape, ...] = ()
            if any(_boolean(v) for v in values[SH.qualifiedValueShapesDisjoint]):
                # The qualified value shapes of the other property shapes of the shapes that have this one.
                parents = g.subjects(SH.property, node)
                siblings = tuple(self.shape(s) for parent in parents for sibling in g.objects(parent, SH.property)
                                 for s in g.objects(sibling, SH.qualifiedValueShape) if s != other)
            for minimum in minimums:
                constraints.append(c.QualifiedConstraint(qualified, minimum, None, siblings))
            for maximum in maximums:
                constraints.append(c.QualifiedConstraint(qualified, None, maximum, siblings))
        return constraints

    # -- SHACL-SPARQL ------------------------------------------------------------------------------

    def prefixes(self, node: Term) -> dict[str, str]:
        g = self.graph
        declared: dict[str, str] = {}
        # The declarations of each sh:prefixes value, and of the ontologies it owl:imports (within
        # the shapes graph: nothing is fetched).
        sources, frontier = set(g.objects(node, SH.prefixes)), list(g.objects(node, SH.prefixes))
        while frontier:
            for imported in g.objects(frontier.pop(), OWL.imports):
                if imported not in sources:
                    sources.add(imported)
                    frontier.append(imported)
        for source in sorted(sources, key=str):
            for declaration in g.objects(source, SH.declare):
                prefixes = g.objects(declaration, SH.prefix)
                namespaces = g.objects(declaration, SH.namespace_)
                if len(prefixes) != 1 or len(namespaces) != 1 or not isinstance(prefixes[0], ox.Literal) \
                        or not isinstance(namespaces[0], ox.Literal | ox.NamedNode):
                    raise ShapesError(f"{_name(declaration)}: a prefix declaration has one sh:prefix and one "
                                      "sh:namespace", file=_file(g))
                prefix, namespace = prefixes[0].value, namespaces[0].value
                try:
                    ox.NamedNode(namespace)
                except ValueError:
                    raise ShapesError(f"sh:namespace {namespace!r} is not an IRI", file=_file(g)) from None
                if declared.get(prefix, namespace) != namespace:
                    raise ShapesError(f"prefix {prefix!r} is declared with two namespaces", file=_file(g))
                declared[prefix] = namespace
        return declared

    def sparql_constraint(self, shape: Shape, node: Term) -> Constraint | None:
        g = self.graph
        if any(_boolean(v) for v in g.objects(node, SH.deactivated)):
            return None
        selects = g.objects(node, SH.select)
        if len(selects) != 1 or not isinstance(selects[0], ox.Literal):
            raise ShapesError(f"the sh:sparql value {_name(node)} of shape {shape.name} needs exactly one sh:select",
                              file=_file(g))
        query = prepare_query(
            selects[0].value, where=f"SPARQL constraint {_name(node)} of shape {shape.name}",
            prefixes=self.prefixes(node), path=shape.path, constants={"currentShape": shape.node},
            per_node=("this",), optional=frozenset({"currentShape"}), declared_functions=self.functions, ask=False)
        messages = tuple(m.value for m in g.objects(node, SH.message) if isinstance(m, ox.Literal))
        return c.SparqlConstraint(query, node, messages or shape.messages)

    def _components(self) -> list[tuple[Term, list[tuple[ox.NamedNode, str, bool]]]]:
        """Declared SPARQL-based components: their node and parameters (path, variable, optional)."""
        g = self.graph
        found = []
        for node in {s for s in g.subjects(RDF.type) if g.is_instance(s, SH.ConstraintComponent)}:
            parameters = []
            for parameter in g.objects(node, SH.parameter):
                paths = g.objects(parameter, SH.path)
                if len(paths) != 1 or not isinstance(paths[0], ox.NamedNode):
                    raise ShapesError(f"a parameter of component {_name(node)} needs one IRI sh:path", file=_file(g))
                name = paths[0].value.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]
                if name in ("this", "shapesGraph", "currentShape", "value", "PATH") or not name.isidentifier():
                    raise ShapesError(f"the parameter {paths[0].value} of {_name(node)} cannot be a SPARQL variable",
                                      file=_file(g))
                parameters.append((paths[0], name, any(_boolean(v) for v in g.objects(parameter, SH.optional))))
            found.append((node, parameters))
        return sorted(found, key=lambda item: str(item[0]))

    def custom(self, shape: Shape, node: Term) -> list[Constraint]:
        g = self.graph
        properties = g.index.get(node, {})
        constraints: list[Constraint] = []
        for component, parameters in self.components:
            required = [p for p, _, optional in parameters if not optional]
            if not required or not all(p in properties for p in required):
                continue
            validator_kind = SH.propertyValidator if shape.path is not None else SH.nodeValidator
            selects = g.objects(component, validator_kind)
            asks = g.objects(component, SH.validator)
            values = {name: properties[p] for p, name, _ in parameters if p in properties}
            for combination in c.parameter_combinations(values):
                constants: dict[str, Term] = {**combination, "currentShape": shape.node}
                where = f"component {_name(component)} on shape {shape.name}"
                optional = frozenset(name for _, name, opt in parameters if opt) | {"currentShape"}
                if selects:
                    validator = selects[0]
                    text = self.query_text(validator, SH.select, where)
                    query = prepare_query(text, where=where, prefixes=self.prefixes(validator), path=shape.path,
                                          constants=constants, per_node=("this",), optional=optional,
                                          declared_functions=self.functions, ask=False)
                    messages = self.messages(validator, component) or shape.messages
                    constraints.append(c.SparqlConstraint(query, None, messages, component, combination))  # type: ignore[arg-type]
                elif asks:
                    validator = asks[0]
                    text = self.query_text(validator, SH.ask, where)
                    query = prepare_query(text, where=where, prefixes=self.prefixes(validator), path=shape.path,
                                          constants=constants, per_node=("this", "value"), optional=optional,
                                          declared_functions=self.functions, ask=True)
                    messages = self.messages(validator, component) or shape.messages
                    constraints.append(c.AskValidator(query, component, messages, combination))  # type: ignore[arg-type]
                else:
                    raise ShapesError(f"{where}: the component has no SPARQL validator for a "
                                      f"{'property' if shape.path is not None else 'node'} shape", file=_file(g))
        return constraints

    def query_text(self, validator: Term, predicate: ox.NamedNode, where: str) -> str:
        texts = self.graph.objects(validator, predicate)
        if len(texts) != 1 or not isinstance(texts[0], ox.Literal):
            raise ShapesError(f"{where}: the validator needs exactly one {_curie(predicate.value)}",
                              file=_file(self.graph))
        return texts[0].value

    def messages(self, *nodes: Term) -> tuple[str, ...]:
        for node in nodes:
            found = tuple(m.value for m in self.graph.objects(node, SH.message) if isinstance(m, ox.Literal))
            if found:
                return found
        return ()

    # -- parameter values -------------------------------------------------------------------------

    def integer(self, node: Term, parameter: ox.NamedNode, value: Term) -> int:
        if isinstance(value, ox.Literal) and value.datatype == XSD.integer and value.value.lstrip("+-").isdigit():
            return int(value.value)
        raise self.error(node, f"{_curie(parameter.value)} takes an xsd:integer, not {value}")

    def iri(self, node: Term, parameter: ox.NamedNode, value: Term) -> ox.NamedNode:
        if isinstance(value, ox.NamedNode):
            return value
        raise self.error(node, f"{_curie(parameter.value)} takes an IRI, not {value}")

    def list(self, node: Term, parameter: ox.NamedNode, head: Term) -> list[Term]:
        items = self.graph.items(head)
        if items is None:
            raise self.error(node, f"{_curie(parameter.value)} takes a well-formed RDF list")
        return items


def _boolean(term: Term) -> bool:
    """Whether ``term`` is ``true``: SHACL names the literal true, so ``"1"^^xsd:boolean`` does not count."""
    return isinstance(term, ox.Literal) and term.datatype == XSD.boolean and term.value == "true"

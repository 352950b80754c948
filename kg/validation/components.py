"""The constraint components of SHACL Core and SHACL-SPARQL, as the Oxigraph engine runs them.

Each constraint is one component with one set of parameter values (a shape with two ``sh:class``
values has two constraints). :meth:`Constraint.evaluate` gets the focus nodes of the shape and
their value nodes at once, so that a check runs once per distinct value node, and whole batches
go to Oxigraph where SPARQL decides (comparisons, regular expressions, SPARQL constraints).
Semantics follow the SHACL recommendation section by section; the W3C test suite checks them.
"""

from __future__ import annotations

import abc
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox

from kg.errors import ShapesError
from kg.validation.literals import well_formed
from kg.validation.paths import Path, PredicatePath
from kg.validation.report import Severity, ValidationResult
from kg.validation.sparql import Mode, PreparedQuery, run_query
from kg.validation.terms import SH, Term, lexical

__all__ = ["Constraint", "Context", "Shape", "ValueNodes"]


class Context(Protocol):
    """What constraints need from the engine (:class:`kg.validation.engine.Engine`)."""

    @property
    def store(self) -> ox.Store: ...

    def instances(self, cls: Term) -> set[Term]: ...

    def values(self, path: Path, nodes: Iterable[Term]) -> dict[Term, list[Term]]: ...

    def outgoing(self, node: Term) -> list[tuple[ox.NamedNode, Term]]: ...

    def results(self, shape: Shape, focus: Sequence[Term]) -> list[ValidationResult]: ...

    def results_by_focus(self, shape: Shape, focus: Sequence[Term]) -> dict[Term, list[ValidationResult]]: ...

    def conforming(self, shape: Shape, nodes: Iterable[Term]) -> set[Term]: ...

    def holds(self, rows: Sequence[tuple[Term, ...]], expression: str,
              constants: Mapping[str, Term] | None = None) -> list[bool]: ...


@dataclass(eq=False)
class Shape:
    """A node shape (``path`` is None) or a property shape, with its constraints."""

    node: Term
    path: Path | None
    severity: Severity
    messages: tuple[str, ...]
    deactivated: bool
    constraints: list[Constraint] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The shape's IRI, or its blank node label, for messages."""
        return self.node.value if isinstance(self.node, ox.NamedNode) else "_:" + self.node.value

    def result(self, focus: Term, component: ox.NamedNode, default: str, *, value: Term | None = None,
               path: Path | None | bool = True, source_constraint: Term | None = None,
               messages: Sequence[str] = ()) -> ValidationResult:
        """A result of this shape; ``path=True`` means the shape's own path."""
        texts = messages or self.messages or (default,)
        return ValidationResult(
            severity=self.severity,
            focus=focus,
            path=self.path if path is True else (path or None),
            value=value,
            shape=self.node,
            component=component,
            source_constraint=source_constraint,
            message=" | ".join(sorted(texts)),
        )


class ValueNodes(dict[Term, list[Term]]):
    """The value nodes of each focus node, with their distinct set computed once for all constraints."""

    _distinct: set[Term] | None = None

    def distinct(self) -> set[Term]:
        if self._distinct is None:
            self._distinct = {v for vs in self.values() for v in vs}
        return self._distinct


def _distinct(values: Mapping[Term, list[Term]]) -> set[Term]:
    return values.distinct() if isinstance(values, ValueNodes) else {v for vs in values.values() for v in vs}


class Constraint(abc.ABC):
    """One constraint component with its parameter values."""

    component: ox.NamedNode

    @abc.abstractmethod
    def evaluate(self, ctx: Context, shape: Shape, values: Mapping[Term, list[Term]]) -> Iterator[ValidationResult]:
        """The results for the focus nodes (keys of ``values``) with their value nodes."""


class ValueTest(Constraint):
    """A component that tests each value node on its own."""

    @abc.abstractmethod
    def failing(self, ctx: Context, values: set[Term]) -> set[Term]:
        """The value nodes that fail the test."""

    @abc.abstractmethod
    def describe(self, value: Term) -> str:
        """The default message of a result."""

    def evaluate(self, ctx: Context, shape: Shape, values: Mapping[Term, list[Term]]) -> Iterator[ValidationResult]:
        distinct = _distinct(values)
        if not distinct:
            return
        bad = self.failing(ctx, distinct)
        if not bad:
            return
        for focus, vs in values.items():
            for value in vs:
                if value in bad:
                    yield shape.result(focus, self.component, self.describe(value), value=value)


def _show(term: Term) -> str:
    return lexical(term) if not isinstance(term, ox.BlankNode) else "_:" + term.value


# -- value type ------------------------------------------------------------------------------


@dataclass
class ClassConstraint(ValueTest):
    cls: Term
    component = SH.ClassConstraintComponent

    def failing(self, ctx: Context, values: set[Term]) -> set[Term]:
        return values - ctx.instances(self.cls)

    def describe(self, value: Term) -> str:
        return f"Value is not an instance of {_show(self.cls)}"


@dataclass
class DatatypeConstraint(ValueTest):
    datatype: ox.NamedNode
    component = SH.DatatypeConstraintComponent

    def failing(self, ctx: Context, values: set[Term]) -> set[Term]:
        wanted = self.datatype
        return {v for v in values if not (isinstance(v, ox.Literal) and v.datatype == wanted
                                          and well_formed(v.value, wanted.value))}

    def describe(self, value: Term) -> str:
        return f"Value is not a well-formed literal of datatype {_show(self.datatype)}"


_NODE_KINDS: dict[ox.NamedNode, tuple[type, ...]] = {
    SH.IRI: (ox.NamedNode,), SH.BlankNode: (ox.BlankNode,), SH.Literal: (ox.Literal,),
    SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode), SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
    SH.IRIOrLiteral: (ox.NamedNode, ox.Literal),
}


@dataclass
class NodeKindConstraint(ValueTest):
    kind: ox.NamedNode
    component = SH.NodeKindConstraintComponent

    def failing(self, ctx: Context, values: set[Term]) -> set[Term]:
        accepted = _NODE_KINDS[self.kind]
        return {v for v in values if not isinstance(v, accepted)}

    def describe(self, value: Term) -> str:
        return f"Value is not of node kind {_show(self.kind)}"


# -- value range, string based ----------------------------------------------------------------

_RANGES = {
    SH.minExclusive: (SH.MinExclusiveConstraintComponent, "?a > ?b", "greater than"),
    SH.minInclusive: (SH.MinInclusiveConstraintComponent, "?a >= ?b", "greater than or equal to"),
    SH.maxExclusive: (SH.MaxExclusiveConstraintComponent, "?a < ?b", "less than"),
    SH.maxInclusive: (SH.MaxInclusiveConstraintComponent, "?a <= ?b", "less than or equal to"),
}


@dataclass
class RangeConstraint(ValueTest):
    """``sh:minInclusive`` and its kin: the SPARQL comparison must be true (an error fails)."""

    parameter: ox.NamedNode
    bound: Term

    @property
    def component(self) -> ox.NamedNode:  # type: ignore[override]
        return _RANGES[self.parameter][0]

    def failing(self, ctx: Context, values: set[Term]) -> set[Term]:
        ordered = list(values)
        holds = ctx.holds([(v, self.bound) for v in ordered], _RANGES[self.parameter][1])
        return {v for v, ok in zip(ordered, holds, strict=True) if not ok}

    def describe(self, value: Term) -> str:
        return f"Value is not {_RANGES[self.parameter][2]} {_show(self.bound)}"


@dataclass
class LengthConstraint(ValueTest):
    maximum: bool
    length: int

    @property
    def component(self) -> ox.NamedNode:  # type: ignore[override]
        return SH.MaxLengthConstraintComponent if self.maximum else SH.MinLengthConstraintComponent

    def failing(self, ctx: Context, values: set[Term]) -> set[Term]:
        if self.maximum:
            return {v for v in values if isinstance(v, ox.BlankNode) or len(v.value) > self.length}
        return {v for v in values if isinstance(v, ox.BlankNode) or len(v.value) < self.length}

    def describe(self, value: Term) -> str:
        return f"Value has {'more' if self.maximum else 'less'} than {self.length} characters"


@dataclass
class PatternConstraint(ValueTest):
    """``sh:pattern`` with ``sh:flags``, decided by SPARQL's REGEX (linear time, no backtracking)."""

    pattern: ox.Literal
    flags: ox.Literal | None
    component = SH.PatternConstraintComponent

    def failing(self, ctx: Context, values: set[Term]) -> set[Term]:
        ordered = [v for v in values if not isinstance(v, ox.BlankNode)]
        flags = ox.Literal(self.flags.value if self.flags is not None else "")
        holds = ctx.holds([(ox.Literal(v.value),) for v in ordered], "REGEX(?a, ?pattern, ?flags)",
                          {"pattern": ox.Literal(self.pattern.value), "flags": flags})
        return {v for v in values if isinstance(v, ox.BlankNode)} | {
            v for v, ok in zip(ordered, holds, strict=True) if not ok}

    def describe(self, value: Term) -> str:
        return f"Value does not match the pattern {self.pattern.value!r}"


@dataclass
class LanguageInConstraint(ValueTest):
    ranges: tuple[str, ...]
    component = SH.LanguageInConstraintComponent

    def failing(self, ctx: Context, values: set[Term]) -> set[Term]:
        return {v for v in values if not (isinstance(v, ox.Literal) and v.language
                                          and any(_language_matches(v.language, r) for r in self.ranges))}

    def describe(self, value: Term) -> str:
        return "Language tag is not one of " + ", ".join(self.ranges)


def _language_matches(tag: str, language_range: str) -> bool:
    """SPARQL's LANGMATCHES (RFC 4647 basic filtering)."""
    tag, language_range = tag.lower(), language_range.lower()
    if language_range == "*":
        return bool(tag)
    return tag == language_range or tag.startswith(language_range + "-")


@dataclass
class InConstraint(ValueTest):
    members: tuple[Term, ...]
    component = SH.InConstraintComponent

    def failing(self, ctx: Context, values: set[Term]) -> set[Term]:
        return values - set(self.members)

    def describe(self, value: Term) -> str:
        return "Value is not one of " + ", ".join(_show(m) for m in self.members)


# -- shape based -------------------------------------------------------------------------------


@dataclass
class NodeConstraint(ValueTest):
    shape: Shape
    component = SH.NodeConstraintComponent

    def failing(self, ctx: Context, values: set[Term]) -> set[Term]:
        return values - ctx.conforming(self.shape, values)

    def describe(self, value: Term) -> str:
        return f"Value does not conform to the shape {self.shape.name}"


@dataclass
class NotConstraint(ValueTest):
    shape: Shape
    component = SH.NotConstraintComponent

    def failing(self, ctx: Context, values: set[Term]) -> set[Term]:
        return ctx.conforming(self.shape, values)

    def describe(self, value: Term) -> str:
        return f"Value conforms to the shape {self.shape.name}"


@dataclass
class LogicalConstraint(ValueTest):
    """``sh:and``, ``sh:or`` and ``sh:xone`` over a list of shapes."""

    operator: ox.NamedNode
    shapes: tuple[Shape, ...]

    @property
    def component(self) -> ox.NamedNode:  # type: ignore[override]
        return {SH.and_: SH.AndConstraintComponent, SH.or_: SH.OrConstraintComponent}.get(
            self.operator, SH.XoneConstraintComponent)

    def failing(self, ctx: Context, values: set[Term]) -> set[Term]:
        counts = dict.fromkeys(values, 0)
        for shape in self.shapes:
            for node in ctx.conforming(shape, values):
                counts[node] += 1
        if self.operator == SH.and_:
            return {v for v, n in counts.items() if n < len(self.shapes)}
        if self.operator == SH.or_:
            return {v for v, n in counts.items() if n == 0}
        return {v for v, n in counts.items() if n != 1}

    def describe(self, value: Term) -> str:
        how = {SH.and_: "all of", SH.or_: "any of"}.get(self.operator, "exactly one of")
        return f"Value does not conform to {how} " + ", ".join(s.name for s in self.shapes)


@dataclass
class PropertyConstraint(Constraint):
    """``sh:property``: each value node is validated against the property shape, its results reported."""

    shape: Shape
    component = SH.property

    def evaluate(self, ctx: Context, shape: Shape, values: Mapping[Term, list[Term]]) -> Iterator[ValidationResult]:
        for _, result in self.attributed(ctx, values):
            yield result

    def attributed(self, ctx: Context, values: Mapping[Term, list[Term]]) -> Iterator[tuple[Term, ValidationResult]]:
        """The results with the focus node they belong to (a nested result's own focus is a value node)."""
        # Each value node is validated once; its results are reported once per focus node that has
        # it, as SHACL validates the value nodes of each focus node (W3C test property-001).
        distinct = list(dict.fromkeys(v for vs in values.values() for v in vs))
        by_node = ctx.results_by_focus(self.shape, distinct)
        for focus, vs in values.items():
            for value in vs:
                for result in by_node.get(value, ()):
                    yield focus, result


@dataclass
class QualifiedConstraint(Constraint):
    """``sh:qualifiedValueShape`` with ``sh:qualifiedMinCount`` or ``sh:qualifiedMaxCount``."""

    shape: Shape
    minimum: int | None
    maximum: int | None
    siblings: tuple[Shape, ...]
    """Shapes the values must not conform to (``sh:qualifiedValueShapesDisjoint``)."""

    @property
    def component(self) -> ox.NamedNode:  # type: ignore[override]
        return SH.QualifiedMinCountConstraintComponent if self.minimum is not None else SH.QualifiedMaxCountConstraintComponent

    def evaluate(self, ctx: Context, shape: Shape, values: Mapping[Term, list[Term]]) -> Iterator[ValidationResult]:
        qualified = ctx.conforming(self.shape, _distinct(values))
        for sibling in self.siblings:
            qualified -= ctx.conforming(sibling, qualified)
        for focus, vs in values.items():
            count = sum(1 for v in vs if v in qualified)
            if self.minimum is not None and count < self.minimum:
                yield shape.result(focus, self.component,
                                   f"Fewer than {self.minimum} values conform to {self.shape.name}")
            if self.maximum is not None and count > self.maximum:
                yield shape.result(focus, self.component,
                                   f"More than {self.maximum} values conform to {self.shape.name}")


# -- cardinality, property pairs, others --------------------------------------------------------


@dataclass
class CountConstraint(Constraint):
    maximum: bool
    count: int

    @property
    def component(self) -> ox.NamedNode:  # type: ignore[override]
        return SH.MaxCountConstraintComponent if self.maximum else SH.MinCountConstraintComponent

    def evaluate(self, ctx: Context, shape: Shape, values: Mapping[Term, list[Term]]) -> Iterator[ValidationResult]:
        for focus, vs in values.items():
            if (len(vs) > self.count) if self.maximum else (len(vs) < self.count):
                more = "More" if self.maximum else "Fewer"
                yield shape.result(focus, self.component, f"{more} than {self.count} values")


@dataclass
class HasValueConstraint(Constraint):
    expected: Term
    component = SH.HasValueConstraintComponent

    def evaluate(self, ctx: Context, shape: Shape, values: Mapping[Term, list[Term]]) -> Iterator[ValidationResult]:
        for focus, vs in values.items():
            if self.expected not in vs:
                yield shape.result(focus, self.component, f"Missing the value {_show(self.expected)}")


@dataclass
class UniqueLangConstraint(Constraint):
    component = SH.UniqueLangConstraintComponent

    def evaluate(self, ctx: Context, shape: Shape, values: Mapping[Term, list[Term]]) -> Iterator[ValidationResult]:
        for focus, vs in values.items():
            seen: dict[str, int] = {}
            for value in vs:
                if isinstance(value, ox.Literal) and value.language:
                    language = value.language.lower()
                    seen[language] = seen.get(language, 0) + 1
            for language in sorted(k for k, n in seen.items() if n > 1):
                yield shape.result(focus, self.component, f"More than one value in language {language!r}")


@dataclass
class PairConstraint(Constraint):
    """``sh:equals``, ``sh:disjoint``, ``sh:lessThan`` and ``sh:lessThanOrEquals``."""

    parameter: ox.NamedNode
    other: ox.NamedNode

    @property
    def component(self) -> ox.NamedNode:  # type: ignore[override]
        return {SH.equals: SH.EqualsConstraintComponent, SH.disjoint: SH.DisjointConstraintComponent,
                SH.lessThan: SH.LessThanConstraintComponent}.get(self.parameter, SH.LessThanOrEqualsConstraintComponent)

    def evaluate(self, ctx: Context, shape: Shape, values: Mapping[Term, list[Term]]) -> Iterator[ValidationResult]:
        others = ctx.values(PredicatePath(self.other), values)
        name = _show(self.other)
        if self.parameter == SH.equals:
            for focus, vs in values.items():
                mine, theirs = set(vs), set(others[focus])
                for value in [v for v in vs if v not in theirs] + [v for v in others[focus] if v not in mine]:
                    yield shape.result(focus, self.component, f"Values differ from those of {name}", value=value)
        elif self.parameter == SH.disjoint:
            for focus, vs in values.items():
                theirs = set(others[focus])
                for value in vs:
                    if value in theirs:
                        yield shape.result(focus, self.component, f"Value is also a value of {name}", value=value)
        else:
            operator = "<" if self.parameter == SH.lessThan else "<="
            # One result for each pair of values that fails, as the SPARQL definition (SHACL 4.5.3) gives.
            pairs = [(focus, v, w) for focus, vs in values.items() for v in vs for w in others[focus]]
            holds = ctx.holds([(v, w) for _, v, w in pairs], f"?a {operator} ?b")
            for (focus, value, other), ok in zip(pairs, holds, strict=True):
                if not ok:
                    yield shape.result(focus, self.component, f"Value is not {operator} {_show(other)}, a value of {name}",
                                       value=value)


@dataclass
class ClosedConstraint(Constraint):
    allowed: frozenset[ox.NamedNode]
    component = SH.ClosedConstraintComponent

    def evaluate(self, ctx: Context, shape: Shape, values: Mapping[Term, list[Term]]) -> Iterator[ValidationResult]:
        for focus, vs in values.items():
            for value in vs:
                for predicate, obj in ctx.outgoing(value):
                    if predicate not in self.allowed:
                        yield shape.result(focus, self.component, f"Predicate {predicate.value} is not allowed (closed shape)",
                                           value=obj, path=PredicatePath(predicate))


# -- SPARQL based ------------------------------------------------------------------------------


@dataclass
class SparqlConstraint(Constraint):
    """``sh:sparql`` (SHACL 5), and SELECT validators of SPARQL-based components (SHACL 6)."""

    query: PreparedQuery
    node: Term | None
    """The ``sh:sparql`` value (reported as ``sh:sourceConstraint``); None for a component's validator."""
    messages: tuple[str, ...]
    component: ox.NamedNode = SH.SPARQLConstraintComponent
    parameters: Mapping[str, Term] = field(default_factory=dict)

    def evaluate(self, ctx: Context, shape: Shape, values: Mapping[Term, list[Term]]) -> Iterator[ValidationResult]:
        focus_nodes = list(values)
        if not focus_nodes:
            return
        query = self.query
        if query.mode is Mode.ONCE:
            solutions = list(run_query(ctx.store, query, {}))
            pairs: Iterable[tuple[Term, dict[str, Term]]] = ((f, s) for f in focus_nodes for s in solutions)
        elif query.mode is Mode.JOINED:
            wanted = set(focus_nodes)
            pairs = ((s["this"], s) for s in run_query(ctx.store, query, {}) if s.get("this") in wanted)
        else:
            pairs = ((f, s) for f in focus_nodes for s in run_query(ctx.store, query, {"this": f}))
        seen: set[tuple[object, ...]] = set()
        for focus, solution in pairs:
            if _true(solution.get("failure")):
                raise ShapesError(f"the SPARQL constraint of {shape.name} reports a failure (?failure) for {_show(focus)}")
            bound = {**self.parameters, **solution, "this": focus}
            path_term = solution.get("path")
            path: Path | None | bool = PredicatePath(path_term) if isinstance(path_term, ox.NamedNode) else True
            value = solution.get("value", focus if shape.path is None else None)
            identity = (focus, path_term, value, tuple(sorted((k, str(v)) for k, v in solution.items())))
            if identity in seen:
                continue
            seen.add(identity)
            messages = [_substitute(m, bound) for m in self.messages]
            yield shape.result(focus, self.component, "A SPARQL constraint is not satisfied", value=value, path=path,
                               source_constraint=self.node, messages=[m for m in messages if m])


@dataclass
class AskValidator(Constraint):
    """A SPARQL-based component with an ASK validator: each value node must make it true."""

    query: PreparedQuery
    component: ox.NamedNode
    messages: tuple[str, ...]
    parameters: Mapping[str, Term]

    def evaluate(self, ctx: Context, shape: Shape, values: Mapping[Term, list[Term]]) -> Iterator[ValidationResult]:
        for focus, vs in values.items():
            for value in vs:
                bindings = {"this": focus, "value": value}
                if not any(True for _ in run_query(ctx.store, self.query, bindings)):
                    messages = [_substitute(m, {**self.parameters, **bindings}) for m in self.messages]
                    yield shape.result(focus, self.component, f"Value does not satisfy {_show(self.component)}",
                                       value=value, messages=[m for m in messages if m])


def _true(term: Term | None) -> bool:
    return isinstance(term, ox.Literal) and term.value in ("true", "1")


_PLACEHOLDER = re.compile(r"\{[?$]([\w]+)\}")


def _substitute(template: str, bound: Mapping[str, Term]) -> str:
    """A message with ``{?var}`` and ``{$var}`` replaced by the bound values (left as is when unbound)."""
    return _PLACEHOLDER.sub(lambda m: _show(bound[m.group(1)]) if m.group(1) in bound else m.group(0), template)


def parameter_combinations(parameters: Mapping[str, list[Term]]) -> Iterator[dict[str, Term]]:
    """Every combination of one value per parameter (a parameter with two values gives two constraints)."""
    names = sorted(parameters)
    for combination in itertools.product(*(parameters[n] for n in names)):
        yield dict(zip(names, combination, strict=True))


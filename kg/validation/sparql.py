"""SPARQL in shapes: checked on the parsed query, then run on Oxigraph with pre-bound variables.

Every query of a shapes graph (``sh:select``, ``sh:ask``) is parsed with rdflib's SPARQL parser
and the decisions are taken on that syntax tree, never on keywords in the text:

* refused (:class:`~kg.errors.ShapesError`, exit 2): ``SERVICE`` (no shapes graph makes the
  validator reach the network), dataset clauses (``FROM``), the SHACL-SPARQL pre-binding
  restrictions (``MINUS``, ``VALUES``, rebinding a pre-bound variable with ``AS``, a sub-query
  that does not project every pre-bound variable), ``$shapesGraph`` (the shapes graph is not part
  of the data), and calls to functions that neither SPARQL nor the shapes graph defines;
* how to run it (:class:`Mode`): pre-binding ``$this`` means running the query once per focus
  node. When the tree shows that ``$this`` is bound by a triple pattern of the outermost group
  before any expression reads it, running the query once with ``$this`` free and keeping the
  solutions whose ``$this`` is a focus node gives the same solutions (:attr:`Mode.JOINED`), at a
  fraction of the cost. A query that never reads ``$this`` runs once for all focus nodes
  (:attr:`Mode.ONCE`); anything else runs once per focus node (:attr:`Mode.PER_NODE`).

Pre-bound values are passed to Oxigraph as RDF terms (``substitutions``), never pasted into the
text. Oxigraph substitutes only projected variables, so the variables to pre-bind are added to the
projection of the outermost ``SELECT`` (an ``ASK`` becomes a ``SELECT``); the text is otherwise
unchanged, apart from ``$PATH``, which SHACL defines as the path written in SPARQL syntax.
Oxigraph's optimiser folds ``BOUND(?v)`` and ``BIND(?v AS ?w)`` as if ``?v`` were unbound even
when it is substituted: ``BOUND`` of a pre-bound variable is written ``true`` (what pre-binding
means), and a query that copies a pre-bound variable with ``AS`` is handed to pySHACL
(:class:`NeedsReference`), which runs it with rdflib's SPARQL engine: pySHACL over the store would
query with Oxigraph and meet the same folding.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from pyparsing import ParseResults
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from kg.errors import ShapesError
from kg.validation.paths import Path
from kg.validation.terms import XSD, Term

__all__ = ["Mode", "NeedsReference", "PreparedQuery", "check_offline", "prepare_query", "run_query"]


class Mode(enum.Enum):
    """How a SPARQL-based check runs over the focus nodes."""

    ONCE = "once"
    """The query does not read ``$this``: one run gives the solutions of every focus node."""
    JOINED = "joined"
    """One run with ``$this`` free; a solution belongs to the focus node its ``$this`` names."""
    PER_NODE = "per-node"
    """One run per focus node, with ``$this`` pre-bound."""


class NeedsReference(Exception):
    """The query is valid SHACL-SPARQL that the Oxigraph engine cannot run exactly; pySHACL can."""

    def __init__(self, reason: str, *, rdflib_engine: bool = False) -> None:
        self.reason = reason
        self.rdflib_engine = rdflib_engine
        """Whether pySHACL must query with rdflib's engine (over a copy of the data), not Oxigraph."""
        super().__init__(reason)


@dataclass(frozen=True)
class PreparedQuery:
    """A checked query ready to run: the text for Oxigraph and how to pre-bind it."""

    text: str
    """The query text with ``$PATH`` replaced and the pre-bound variables projected."""
    ask: bool
    """Whether the original was an ``ASK`` (true when the ``SELECT`` it became has a solution)."""
    mode: Mode
    constants: Mapping[str, Term]
    """Variables pre-bound to the same value for every focus node (parameters, ``$currentShape``)."""
    per_node: tuple[str, ...]
    """Variables pre-bound per focus node (``$this``, and ``$value`` in ASK validators)."""
    prefixes: Mapping[str, str] = field(default_factory=dict)
    where: str = "a query of the shapes"
    """Names the query in error messages."""


_XSD = XSD.namespace
_FUNCTIONS_OF_XSD = {"string", "boolean", "decimal", "integer", "float", "double", "dateTime", "date", "time",
                     "duration", "dayTimeDuration", "yearMonthDuration", "gYear", "gYearMonth", "gMonth", "gDay",
                     "gMonthDay", "dateTimeStamp"}


def prepare_query(
    text: str,
    *,
    where: str,
    prefixes: Mapping[str, str],
    path: Path | None,
    constants: Mapping[str, Term],
    per_node: tuple[str, ...],
    optional: frozenset[str] = frozenset(),
    declared_functions: frozenset[str] = frozenset(),
    ask: bool,
) -> PreparedQuery:
    """Check a query of the shapes graph and prepare it.

    Parameters
    ----------
    text
        The value of ``sh:select`` or ``sh:ask``.
    where
        Names the query in error messages ("constraint ex:c of shape ex:S").
    prefixes
        The declarations of ``sh:prefixes``.
    path
        The path of the property shape, for ``$PATH``.
    constants
        Variables pre-bound to one value for the whole run.
    per_node
        Variables pre-bound per focus node (``this``, and ``value`` for ASK validators).
    optional
        Parameters that may be absent, so a sub-query need not project them.
    declared_functions
        IRIs of SHACL functions the shapes graph declares (their calls are pySHACL's to run).
    ask
        Whether an ``ASK`` query is expected (else a ``SELECT``).

    Raises
    ------
    ShapesError
        For a query that is refused (see the module documentation).
    NeedsReference
        For a query that only pySHACL can run exactly.
    """
    tokens = list(_tokens(text))
    if any(kind == "var" and value[1:] == "PATH" for kind, value, _ in tokens):
        if path is None:
            raise ShapesError(f"{where}: $PATH is used outside a property shape")
        text = "".join(path.sparql() if kind == "var" and value[1:] == "PATH" else value for kind, value, _ in tokens)
        tokens = list(_tokens(text))
    try:
        parsed = _parse(text)
    except Exception as exc:  # noqa: BLE001 -- pyparsing raises several exception types
        raise ShapesError(f"{where}: the SPARQL query does not parse: {str(exc).splitlines()[0]}") from None
    prologue, query = parsed[0], parsed[1]
    local_prefixes = {str(_get(d, "prefix") or ""): str(d["iri"]) for d in prologue if getattr(d, "name", "") == "PrefixDecl"}
    all_prefixes = {**prefixes, **local_prefixes}
    expected = "AskQuery" if ask else "SelectQuery"
    if query.name != expected:
        raise ShapesError(f"{where}: expected a {'ASK' if ask else 'SELECT'} query")
    prebound = set(constants) | set(per_node)
    _refuse(query, where, prebound=prebound, required=(prebound | {"this"}) - optional - {"currentShape"},
            prefixes=all_prefixes, declared_functions=declared_functions)
    if "shapesGraph" in _variables(query):
        raise ShapesError(f"{where}: $shapesGraph is not supported (the shapes graph is not part of the data graph)")
    used = _variables(query)
    constants = {k: v for k, v in constants.items() if k in used}
    if ask:
        mode = Mode.PER_NODE
    elif not _reads_this(query):
        mode = Mode.ONCE
    elif _joinable(query):
        mode = Mode.JOINED
    else:
        mode = Mode.PER_NODE
    substituted = set(constants) | (set(per_node) & used if mode is Mode.PER_NODE else set())
    if any(isinstance(n, CompValue) and n.name == "Builtin_BOUND" and str(n["arg"]) in substituted
           for n in _walk(query)):
        # BOUND of a pre-bound variable is true (SHACL 5.2.1.1); Oxigraph would fold it to false.
        text = _rewrite_bound(tokens, substituted)
        tokens = list(_tokens(text))
        query = _parse(text)[1]
    quirk = _oxigraph_quirk(query, substituted)
    if quirk:
        raise NeedsReference(f"{where}: {quirk}, which Oxigraph does not evaluate as pre-bound "
                             "(pySHACL runs it with rdflib's SPARQL engine on a copy of the data)", rdflib_engine=True)
    if _aggregated(query):
        grouped = {str(c) for c in _get(_get(query, "groupby"), "condition") or [] if isinstance(c, Variable)}
        if substituted - grouped:
            raise NeedsReference(f"{where}: it aggregates over a pre-bound variable it does not group by")
    text = _project(tokens, text, sorted(substituted), _projection(query), ask=ask,
                    in_scope=sorted(_in_scope(query["where"])))
    return PreparedQuery(text=text, ask=ask, mode=mode, constants=constants,
                         per_node=tuple(v for v in per_node if v in used) if mode is Mode.PER_NODE else (),
                         prefixes=all_prefixes, where=where)


@functools.lru_cache(maxsize=512)
def _parse(text: str) -> ParseResults:
    """rdflib's parse of a query; kept, as the same shapes are read again (parsing is the slow part)."""
    return parseQuery(text)


# -- lexical level: only to find where the projection is, and $PATH -------------------------

_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
      | (?P<var>[?$][\w\u00B7]+)
      | (?P<word>[A-Za-z_][\w.\-]*(?::[\w.\-:%\\]*)?|:[\w.\-:%\\]*)
      | (?P<space>\s+)
      | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)


def _tokens(text: str) -> Iterator[tuple[str, str, int]]:
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        yield kind, match.group(), match.start()


def _rewrite_bound(tokens: list[tuple[str, str, int]], names: set[str]) -> str:
    """The text with each ``BOUND(?v)`` of a variable in ``names`` written ``(true)``."""
    significant = [i for i, (kind, _, _) in enumerate(tokens) if kind not in ("space", "comment")]
    replace: dict[int, str] = {}
    for n, i in enumerate(significant[:-3]):
        a, b, c, d = (tokens[significant[n + k]] for k in range(4))
        if (a[0] == "word" and a[1].upper() == "BOUND" and b[1] == "(" and c[0] == "var" and c[1][1:] in names
                and d[1] == ")"):
            replace[i] = "(true)"
            for k in range(i + 1, significant[n + 3] + 1):
                replace[k] = ""
    return "".join(replace.get(i, value) for i, (_, value, _) in enumerate(tokens))


def _project(tokens: list[tuple[str, str, int]], text: str, extra: list[str], projected: list[str] | None,
             *, ask: bool, in_scope: list[str]) -> str:
    """``text`` with ``extra`` variables added to the outermost projection (``ASK`` made a ``SELECT``)."""
    words = [(i, value.upper()) for i, (kind, value, _) in enumerate(tokens) if kind == "word"]
    keyword = "ASK" if ask else "SELECT"
    index = next((i for i, word in words if word == keyword), None)
    assert index is not None, "the parser found the query form"
    if ask:
        names = " ".join("?" + v for v in extra)
        if not names:
            names = "(1 AS ?kikg_ask)"
        return text[: tokens[index][2]] + "SELECT " + names + text[tokens[index][2] + len(tokens[index][1]):]
    # after SELECT, an optional DISTINCT or REDUCED
    position = index + 1
    while position < len(tokens) and tokens[position][0] in ("space", "comment"):
        position += 1
    if tokens[position][0] == "word" and tokens[position][1].upper() in ("DISTINCT", "REDUCED"):
        position += 1
    start = tokens[position - 1][2] + len(tokens[position - 1][1])
    if projected is None:  # SELECT *: the in-scope variables, named
        star = next(i for i in range(position, len(tokens)) if tokens[i][1] == "*")
        names = " ".join("?" + v for v in dict.fromkeys([*in_scope, *extra]))
        return text[: tokens[star][2]] + names + text[tokens[star][2] + 1:]
    missing = [v for v in extra if v not in projected]
    if not missing:
        return text
    return text[:start] + " " + " ".join("?" + v for v in missing) + " " + text[start:]


# -- the syntax tree -------------------------------------------------------------------------


def _get(node: object, key: str) -> Any:
    """A part of a parse tree node, or None (``CompValue.get`` returns the key itself when it is missing)."""
    if isinstance(node, CompValue) and key in node:
        return node[key]
    return None


def _walk(node: object) -> Iterator[object]:
    yield node
    if isinstance(node, CompValue):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple | ParseResults):
        for item in node:
            yield from _walk(item)


def _variables(node: object) -> set[str]:
    return {str(n) for n in _walk(node) if isinstance(n, Variable)}


def _mentions(node: object, name: str) -> bool:
    return any(isinstance(n, Variable) and str(n) == name for n in _walk(node))


def _projection(query: CompValue) -> list[str] | None:
    """The projected variables, or None for ``SELECT *``."""
    projection = _get(query, "projection")
    if not projection:
        return None
    return [str(p["evar"] if _get(p, "evar") is not None else p["var"]) for p in projection]


def _in_scope(group: object) -> set[str]:
    """Variables a group pattern can bind (what ``SELECT *`` projects)."""
    names: set[str] = set()
    if not isinstance(group, CompValue):
        return names
    for part in _get(group, "part") or []:
        kind = part.name
        if kind == "TriplesBlock":
            names |= _variables(part)
        elif kind == "Bind":
            names.add(str(part["var"]))
        elif kind in ("OptionalGraphPattern", "GraphGraphPattern"):
            names |= _in_scope(part["graph"])
            if kind == "GraphGraphPattern" and isinstance(part["term"], Variable):
                names.add(str(part["term"]))
        elif kind == "GroupOrUnionGraphPattern":
            for branch in part["graph"]:
                names |= set(_projection(branch) or _in_scope(branch["where"])) if branch.name == "SubSelect" \
                    else _in_scope(branch)
    return names


def _refuse(query: CompValue, where: str, *, prebound: set[str], required: set[str], prefixes: Mapping[str, str],
            declared_functions: frozenset[str]) -> None:
    for node in _walk(query):
        if not isinstance(node, CompValue):
            continue
        kind = node.name
        if kind == "ServiceGraphPattern":
            raise ShapesError(f"{where}: SERVICE is refused: no shapes graph makes the validator reach the network")
        if kind in ("MinusGraphPattern",):
            raise ShapesError(f"{where}: MINUS is not allowed in SHACL-SPARQL (pre-binding, SHACL 5.2.1.1)")
        if kind in ("InlineData", "ValuesClause") and _get(node, "var") is not None:
            raise ShapesError(f"{where}: VALUES is not allowed in SHACL-SPARQL (pre-binding, SHACL 5.2.1.1)")
        if kind == "DatasetClause":
            raise ShapesError(f"{where}: FROM and FROM NAMED are refused: a constraint queries the data graph")
        if kind == "Bind" and str(node["var"]) in prebound | {"this"}:
            raise ShapesError(f"{where}: BIND ... AS ${node['var']} rebinds a pre-bound variable (SHACL 5.2.1.1)")
        if kind == "vars_" and _get(node, "evar") is not None and str(node["evar"]) in prebound | {"this"}:
            raise ShapesError(f"{where}: (... AS ${node['evar']}) rebinds a pre-bound variable (SHACL 5.2.1.1)")
        if kind == "SubSelect":
            projected = _projection(node)
            missing = sorted(required - set(projected or []))
            if missing:
                shown = ", ".join("$" + m for m in missing)
                how = "SELECT *" if projected is None else "it"
                raise ShapesError(f"{where}: a sub-query must project every pre-bound variable, and {how} does not "
                                  f"project {shown} (SHACL 5.2.1.1)")
        if kind == "pname" and str(_get(node, "prefix") or "") not in prefixes:
            raise ShapesError(f"{where}: undeclared prefix {_get(node, 'prefix') or ''}: (declare it with sh:prefixes)")
        if kind == "Function":
            iri = _function_iri(node["iri"], prefixes)
            if iri is None:
                raise ShapesError(f"{where}: unknown prefix in a function call")
            if iri in declared_functions:
                raise NeedsReference(f"{where}: calls the SHACL function <{iri}>")
            if not (iri.startswith(_XSD) and iri[len(_XSD):] in _FUNCTIONS_OF_XSD):
                raise ShapesError(f"{where}: calls <{iri}>, which neither SPARQL nor the shapes graph defines")


def _function_iri(iri: object, prefixes: Mapping[str, str]) -> str | None:
    if isinstance(iri, CompValue):  # a prefixed name
        namespace = prefixes.get(str(_get(iri, "prefix") or ""))
        return None if namespace is None else namespace + str(_get(iri, "localname") or "")
    return str(iri)


def _reads_this(query: CompValue) -> bool:
    """Whether ``$this`` is read anywhere but as a plain projected variable."""
    rest = [v for k, v in query.items() if k != "projection"]
    return _mentions(rest, "this") or any(
        _get(p, "evar") is not None and _mentions(p["expr"], "this") for p in _get(query, "projection") or [])


def _joinable(query: CompValue) -> bool:
    """Whether running once with ``$this`` free gives the pre-bound solutions of every focus node."""
    if _get(query, "limitoffset") is not None:
        return False
    projection = _projection(query)
    if projection is not None and "this" not in projection:
        return False
    if _aggregated(query):
        conditions = _get(_get(query, "groupby"), "condition") or []
        if not any(isinstance(c, Variable) and str(c) == "this" for c in conditions):
            return False
    if _mentions(_get(query, "having"), "this") or _mentions(_get(query, "orderby"), "this"):
        return False
    where = query["where"]
    return _binds_this(where) and _group_safe(where)


def _aggregated(query: CompValue) -> bool:
    return _get(query, "groupby") is not None or _get(query, "having") is not None or any(
        isinstance(n, CompValue) and n.name.startswith("Aggregate_") for n in _walk(_get(query, "projection")))


def _binds_this(group: CompValue) -> bool:
    """Whether every solution of ``group`` binds ``$this`` through one of its own patterns."""
    for part in _get(group, "part") or []:
        if part.name == "TriplesBlock" and _mentions(part, "this"):
            return True
        if part.name == "GroupOrUnionGraphPattern" and all(
            _joinable(branch) if branch.name == "SubSelect" else _binds_this(branch) for branch in part["graph"]
        ):
            return True
        if part.name == "GraphGraphPattern" and _binds_this(part["graph"]):
            return True
    return False


def _group_safe(group: CompValue) -> bool:
    """Whether every expression of ``group`` reading ``$this`` sees it bound (see the module docs)."""
    bound_in_group = _binds_this(group)
    bound_so_far = False
    for part in _get(group, "part") or []:
        kind = part.name
        if kind == "TriplesBlock":
            bound_so_far = bound_so_far or _mentions(part, "this")
        elif kind == "Filter":
            if _mentions(part, "this") and (not bound_in_group or _has_subquery_reading_this(part)):
                return False
        elif kind == "Bind":
            if _mentions(part["expr"], "this") and (not bound_so_far or _has_subquery_reading_this(part)):
                return False
        elif kind == "OptionalGraphPattern":
            if not _group_safe(part["graph"]):
                return False
        elif kind == "GraphGraphPattern":
            if _mentions(part["term"], "this") or not _group_safe(part["graph"]):
                return False
            bound_so_far = bound_so_far or _binds_this(part["graph"])
        elif kind == "GroupOrUnionGraphPattern":
            for branch in part["graph"]:
                if branch.name == "SubSelect":
                    if _mentions(branch, "this") and not _joinable(branch):
                        return False
                elif not _group_safe(branch):
                    return False
            bound_so_far = bound_so_far or _binds_this(CompValue("GroupGraphPatternSub", part=[part]))
        elif _mentions(part, "this"):
            return False
    return True


def _has_subquery_reading_this(node: object) -> bool:
    return any(isinstance(n, CompValue) and n.name == "SubSelect" and _mentions(n, "this") for n in _walk(node))


def _oxigraph_quirk(query: CompValue, substituted: set[str]) -> str | None:
    for node in _walk(query):
        if not isinstance(node, CompValue):
            continue
        if node.name in ("Bind", "vars_") and _get(node, "expr") is not None:
            bare = _bare_variable(node["expr"])
            if bare is not None and bare in substituted:
                return f"it copies ${bare} with AS"
    return None


def _bare_variable(expr: object) -> str | None:
    """The variable an expression is, unwrapped from the grammar's one-child levels."""
    while isinstance(expr, CompValue) and set(expr.keys()) == {"expr"}:
        expr = expr["expr"]
    return str(expr) if isinstance(expr, Variable) else None


def run_query(store: ox.Store, query: PreparedQuery, bindings: Mapping[str, Term]) -> Iterator[dict[str, Term]]:
    """The solutions of ``query`` with ``bindings`` (and its constants) pre-bound, as dictionaries.

    Raises
    ------
    ShapesError
        When Oxigraph refuses the query (a syntax it does not accept, an unsupported function).
    """
    wanted = {**query.constants, **{k: v for k, v in bindings.items() if k in query.per_node}}
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(k): v for k, v in wanted.items()}
    try:
        solutions = store.query(query.text, use_default_graph_as_union=True, prefixes=dict(query.prefixes),
                                substitutions=substitutions)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            yield {name: solution[name] for name in names if solution[name] is not None}
    except (SyntaxError, RuntimeError, OSError) as exc:
        raise ShapesError(f"{query.where}: Oxigraph cannot run the query: {str(exc).splitlines()[0]}") from None


def check_offline(text: str, *, where: str) -> None:
    """Refuse a query or update of the shapes graph that could reach the network (for pySHACL's runs).

    Raises
    ------
    ShapesError
        For ``SERVICE``, ``FROM``/``FROM NAMED`` and ``LOAD``, found on the parsed text, or text
        that does not parse as SPARQL.
    """
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parsed: object = parseQuery(text)
    except Exception:  # noqa: BLE001 -- pyparsing raises several exception types
        try:
            parsed = parseUpdate(text)
        except Exception as exc:  # noqa: BLE001
            raise ShapesError(f"{where}: the SPARQL does not parse: {str(exc).splitlines()[0]}") from None
    for node in _walk(parsed):
        if isinstance(node, CompValue) and node.name in ("ServiceGraphPattern", "DatasetClause", "Load"):
            keyword = {"ServiceGraphPattern": "SERVICE", "DatasetClause": "FROM", "Load": "LOAD"}[node.name]
            raise ShapesError(f"{where}: {keyword} is refused: no shapes graph makes the validator reach the network")

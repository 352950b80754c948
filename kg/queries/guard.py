"""The read-only check: a SPARQL 1.1 parser that decides on the parsed query, never on keywords.

Every query a user hands in (``kg query --file``, the ``/query`` endpoint of ``kg serve``, a
projection query, a canned query) is parsed here by the SPARQL 1.1 grammar (W3C Recommendation,
section 19) before any engine sees it. Refused, with the line and column of the offending part:

* every update form (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``DROP``, ``CREATE``, ``ADD``,
  ``MOVE``, ``COPY``, ``WITH``), in any spelling;
* ``SERVICE``, anywhere (in a sub-query, an ``EXISTS``, an ``OPTIONAL``...): a query never makes
  the engine fetch another URL;
* anything the grammar does not accept, including engine extensions (SPARQL 1.2 triple terms,
  ``LATERAL``) and ``\\uXXXX`` escapes outside strings and IRIs, so that no two parsers can read
  the same text two ways.

The lexer follows the grammar's terminals (``ex:a\\#b`` is one prefixed name, ``#`` starts a
comment only outside strings, IRIs and names); like Oxigraph, it reads ``<`` as an operator where
the grammar expects one, so ``FILTER(?a<3&&?b>2)`` is a comparison, not an IRI. Nesting is bounded
(:data:`MAX_DEPTH`), and the work is linear in the length of the text.

Examples
--------
>>> check_read_only("SELECT ?s WHERE { ?s ?p ?o }").form
'SELECT'
>>> check_read_only('PREFIX ex: <http://e/>\\nSELECT * { BIND(ex:a\\\\#b AS ?x) SERVICE <http://h/> {} }')
Traceback (most recent call last):
...
kg.queries.guard.ForbiddenQueryError: line 2, column 32: SERVICE is not allowed: a query here never calls another server
>>> check_read_only("insert DATA { <urn:a> <urn:b> <urn:c> }")
Traceback (most recent call last):
...
kg.queries.guard.ForbiddenQueryError: line 1, column 1: INSERT is not allowed: only read queries run here (this is an update)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.errors import UsageError

__all__ = ["MAX_DEPTH", "ForbiddenQueryError", "QueryShape", "SparqlSyntaxError", "check_read_only", "parse_query"]

MAX_DEPTH = 64
"""Deepest nesting of groups, brackets, collections and paths a query may have."""


class SparqlSyntaxError(UsageError):
    """The text is not a SPARQL 1.1 query; ``line`` and ``column`` (1-based) say where."""

    def __init__(self, reason: str, *, line: int, column: int) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        super().__init__(f"line {line}, column {column}: {reason}")


class ForbiddenQueryError(SparqlSyntaxError):
    """The query parses, but updates or ``SERVICE``, which never run here."""

    def __init__(self, keyword: str, reason: str, *, line: int, column: int) -> None:
        self.keyword = keyword
        super().__init__(f"{keyword} is not allowed: {reason}", line=line, column=column)


@dataclass(frozen=True)
class QueryShape:
    """What the parser found: the query form and where ``SERVICE`` or update keywords stand."""

    form: str
    """``SELECT``, ``CONSTRUCT``, ``DESCRIBE``, ``ASK``, or the first update keyword."""
    services: tuple[tuple[int, int], ...] = ()
    """``(line, column)`` of each ``SERVICE`` pattern."""
    update: bool = False
    prefixes: dict[str, str] = field(default_factory=dict)


# -- the lexer -----------------------------------------------------------------------------------

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"\\[tbnrf\\\"']"

_TOKEN = re.compile(
    rf"""
    (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
  | (?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)
  | (?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)
  | (?P<var>[?$]{_VARNAME})
  | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
  | (?P<string>\"\"\"(?:(?:"|"")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*\"\"\"
              |'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*'''
              |"(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*"
              |'(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*')
  | (?P<number>[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+)
  | (?P<word>[A-Za-z][A-Za-z0-9_]*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{{}}()\[\].,;*+\-/|^?!=<>])
    """,
    re.VERBOSE,
)
_SKIP = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)*")
_OPERATOR = re.compile(r"<=|>=|!=|[<>=]")
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\\U0000[dD][89a-fA-F][0-9a-fA-F]{2}")


@dataclass(frozen=True)
class _Token:
    kind: str  # iri, pname, bnode, var, langtag, string, number, word, punct, eof
    text: str
    offset: int

    @property
    def word(self) -> str:
        """The keyword in upper case ('a' stays as it is: it is the only case-sensitive keyword)."""
        return self.text if self.text == "a" else self.text.upper()


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self._peeked: _Token | None = None

    def _skip(self) -> int:
        return _SKIP.match(self.text, self.position).end()  # type: ignore[union-attr]

    def peek(self) -> _Token:
        if self._peeked is None:
            start = self._skip()
            if start >= len(self.text):
                self._peeked = _Token("eof", "", start)
            else:
                match = _TOKEN.match(self.text, start)
                if match is None:
                    raise self.error(f"unexpected character {self.text[start]!r}", start)
                kind = match.lastgroup
                assert kind is not None
                if kind in ("iri", "string") and _SURROGATE.search(match.group()):
                    raise self.error("an escape denotes a surrogate, which is not a character", start)
                self._peeked = _Token(kind, match.group(), start)
        return self._peeked

    def next(self) -> _Token:
        token = self.peek()
        self.position = token.offset + len(token.text)
        self._peeked = None
        return token

    def operator(self) -> str | None:
        """A relational operator at the current position, where the grammar expects one."""
        start = self._skip()
        match = _OPERATOR.match(self.text, start)
        if match is None:
            return None
        self._peeked = None
        self.position = match.end()
        return match.group()

    def error(self, reason: str, offset: int) -> SparqlSyntaxError:
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return SparqlSyntaxError(reason, line=line, column=column)


# -- the grammar ---------------------------------------------------------------------------------

_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}
# Built-in calls and how many arguments each takes (min, max); None: any number (CONCAT, COALESCE).
_BUILTINS: dict[str, tuple[int, int | None]] = {
    "STR": (1, 1), "LANG": (1, 1), "LANGMATCHES": (2, 2), "DATATYPE": (1, 1), "BOUND": (1, 1),
    "IRI": (1, 1), "URI": (1, 1), "BNODE": (0, 1), "RAND": (0, 0), "ABS": (1, 1), "CEIL": (1, 1),
    "FLOOR": (1, 1), "ROUND": (1, 1), "CONCAT": (0, None), "STRLEN": (1, 1), "UCASE": (1, 1),
    "LCASE": (1, 1), "ENCODE_FOR_URI": (1, 1), "CONTAINS": (2, 2), "STRSTARTS": (2, 2),
    "STRENDS": (2, 2), "STRBEFORE": (2, 2), "STRAFTER": (2, 2), "YEAR": (1, 1), "MONTH": (1, 1),
    "DAY": (1, 1), "HOURS": (1, 1), "MINUTES": (1, 1), "SECONDS": (1, 1), "TIMEZONE": (1, 1),
    "TZ": (1, 1), "NOW": (0, 0), "UUID": (0, 0), "STRUUID": (0, 0), "MD5": (1, 1), "SHA1": (1, 1),
    "SHA256": (1, 1), "SHA384": (1, 1), "SHA512": (1, 1), "COALESCE": (0, None), "IF": (3, 3),
    "STRLANG": (2, 2), "STRDT": (2, 2), "SAMETERM": (2, 2), "ISIRI": (1, 1), "ISURI": (1, 1),
    "ISBLANK": (1, 1), "ISLITERAL": (1, 1), "ISNUMERIC": (1, 1), "REGEX": (2, 3), "SUBSTR": (2, 3),
    "REPLACE": (3, 4),
}


class _Parser:
    def __init__(self, text: str) -> None:
        self.lexer = _Lexer(text)
        self.depth = 0
        self.services: list[tuple[int, int]] = []
        self.prefixes: dict[str, str] = {}

    # -- helpers --

    def error(self, expected: str, token: _Token | None = None) -> SparqlSyntaxError:
        token = token or self.lexer.peek()
        found = "the end of the query" if token.kind == "eof" else repr(token.text[:40])
        return self.lexer.error(f"expected {expected}, found {found}", token.offset)

    def at(self, *words: str) -> bool:
        token = self.lexer.peek()
        if token.kind == "word":
            return token.word in words
        return token.kind == "punct" and token.text in words

    def accept(self, *words: str) -> _Token | None:
        return self.lexer.next() if self.at(*words) else None

    def expect(self, word: str) -> _Token:
        if not self.at(word):
            raise self.error(repr(word))
        return self.lexer.next()

    def kind(self, *kinds: str) -> bool:
        return self.lexer.peek().kind in kinds

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            token = self.lexer.peek()
            raise self.lexer.error(f"the query is nested more than {MAX_DEPTH} levels deep", token.offset)

    def leave(self) -> None:
        self.depth -= 1

    def position(self, token: _Token) -> tuple[int, int]:
        error = self.lexer.error("", token.offset)
        return error.line, error.column

    # -- query and prologue --

    def unit(self) -> QueryShape:
        self.prologue()
        token = self.lexer.peek()
        if token.kind == "word" and token.word in _UPDATE_WORDS:
            line, column = self.position(token)
            raise ForbiddenQueryError(token.word, "only read queries run here (this is an update)",
                                      line=line, column=column)
        if self.at("SELECT"):
            self.select_clause()
            self.datasets()
            self.where(optional_keyword=True)
            self.solution_modifier()
        elif self.accept("CONSTRUCT"):
            if self.at("{"):
                self.triples_template_block()
                self.datasets()
                self.where(optional_keyword=True)
            else:
                self.datasets()
                self.expect("WHERE")
                self.triples_template_block()
            self.solution_modifier()
        elif self.accept("DESCRIBE"):
            if not self.accept("*"):
                self.var_or_iri()
                while self.kind("var", "iri", "pname"):
                    self.var_or_iri()
            self.datasets()
            if self.at("WHERE", "{"):
                self.where(optional_keyword=True)
            self.solution_modifier()
        elif self.accept("ASK"):
            self.datasets()
            self.where(optional_keyword=True)
            self.solution_modifier()
        else:
            raise self.error("SELECT, CONSTRUCT, DESCRIBE or ASK")
        if self.accept("VALUES"):
            self.data_block()
        if not self.kind("eof"):
            raise self.error("the end of the query")
        return QueryShape(form=token.word, services=tuple(self.services), prefixes=dict(self.prefixes))

    def prologue(self) -> None:
        while True:
            if self.accept("BASE"):
                self.iriref()
            elif self.accept("PREFIX"):
                token = self.lexer.next()
                if token.kind != "pname" or not token.text.endswith(":") or token.text.count(":") != 1:
                    raise self.error("a prefix name ending with ':'", token)
                self.prefixes[token.text[:-1]] = self.iriref().text[1:-1]
            else:
                return

    def iriref(self) -> _Token:
        if not self.kind("iri"):
            raise self.error("an IRI in <...>")
        return self.lexer.next()

    def select_clause(self) -> None:
        self.expect("SELECT")
        self.accept("DISTINCT", "REDUCED")
        if self.accept("*"):
            return
        count = 0
        while True:
            if self.kind("var"):
                self.lexer.next()
            elif self.accept("("):
                self.expression()
                self.expect("AS")
                self.var()
                self.expect(")")
            else:
                break
            count += 1
        if not count:
            raise self.error("'*', a variable or (expression AS ?var)")

    def datasets(self) -> None:
        while self.accept("FROM"):
            self.accept("NAMED")
            self.iri()

    def where(self, *, optional_keyword: bool) -> None:
        if not self.accept("WHERE") and not optional_keyword:
            raise self.error("WHERE")
        self.group_graph_pattern()

    def solution_modifier(self) -> None:
        if self.accept("GROUP"):
            self.expect("BY")
            self.group_condition()
            while self.at("(") or self.kind("var", "iri", "pname") or self.builtin_ahead():
                self.group_condition()
        if self.accept("HAVING"):
            self.constraint()
            while self.at("(") or self.kind("iri", "pname") or self.builtin_ahead():
                self.constraint()
        if self.accept("ORDER"):
            self.expect("BY")
            self.order_condition()
            while self.at("(", "ASC", "DESC") or self.kind("var", "iri", "pname") or self.builtin_ahead():
                self.order_condition()
        if self.accept("LIMIT"):
            self.integer()
            if self.accept("OFFSET"):
                self.integer()
        elif self.accept("OFFSET"):
            self.integer()
            if self.accept("LIMIT"):
                self.integer()

    def integer(self) -> None:
        token = self.lexer.next()
        if token.kind != "number" or not token.text.isdigit():
            raise self.error("an integer", token)

    def group_condition(self) -> None:
        if self.accept("("):
            self.expression()
            if self.accept("AS"):
                self.var()
            self.expect(")")
        elif self.kind("var"):
            self.lexer.next()
        else:
            self.constraint()

    def order_condition(self) -> None:
        if self.accept("ASC", "DESC"):
            self.bracketted_expression()
        elif self.kind("var"):
            self.lexer.next()
        else:
            self.constraint()

    # -- graph patterns --

    def group_graph_pattern(self) -> None:
        self.enter()
        self.expect("{")
        if self.at("SELECT"):
            self.select_clause()
            self.where(optional_keyword=True)
            self.solution_modifier()
            if self.accept("VALUES"):
                self.data_block()
        else:
            self.triples_block()
            while True:
                if self.at("{"):
                    self.group_graph_pattern()
                    while self.accept("UNION"):
                        self.group_graph_pattern()
                elif self.accept("OPTIONAL", "MINUS"):
                    self.group_graph_pattern()
                elif self.accept("GRAPH"):
                    self.var_or_iri()
                    self.group_graph_pattern()
                elif self.at("SERVICE"):
                    self.services.append(self.position(self.lexer.next()))
                    self.accept("SILENT")
                    self.var_or_iri()
                    self.group_graph_pattern()
                elif self.accept("FILTER"):
                    self.constraint()
                elif self.accept("BIND"):
                    self.expect("(")
                    self.expression()
                    self.expect("AS")
                    self.var()
                    self.expect(")")
                elif self.accept("VALUES"):
                    self.data_block()
                else:
                    break
                self.accept(".")
                self.triples_block()
        self.expect("}")
        self.leave()

    def triples_block(self) -> None:
        while self.term_ahead():
            self.triples_same_subject()
            if not self.accept("."):
                return

    def triples_template_block(self) -> None:
        self.expect("{")
        self.triples_block()
        self.expect("}")

    def term_ahead(self) -> bool:
        token = self.lexer.peek()
        if token.kind in ("var", "iri", "pname", "bnode", "string", "number"):
            return True
        if token.kind == "word":
            return token.word in ("TRUE", "FALSE")
        return token.kind == "punct" and token.text in ("(", "[", "+", "-")

    def triples_same_subject(self) -> None:
        if self.at("[", "("):
            empty = self.triples_node()
            if empty or self.verb_ahead():
                self.property_list_not_empty()
        else:
            self.var_or_term()
            self.property_list_not_empty()

    def property_list_not_empty(self) -> None:
        self.verb()
        self.object_list()
        while self.accept(";"):
            if self.verb_ahead():
                self.verb()
                self.object_list()

    def verb_ahead(self) -> bool:
        return self.kind("var", "iri", "pname") or self.at("a", "^", "!", "(")

    def verb(self) -> None:
        if self.kind("var"):
            self.lexer.next()
        else:
            self.path()

    def object_list(self) -> None:
        self.graph_node()
        while self.accept(","):
            self.graph_node()

    def graph_node(self) -> None:
        if self.at("[", "("):
            self.triples_node()
        else:
            self.var_or_term()

    def triples_node(self) -> bool:
        """A collection or a blank-node property list; True for ``[]`` and ``()`` (plain terms)."""
        self.enter()
        try:
            if self.accept("["):
                if self.accept("]"):
                    return True
                self.property_list_not_empty()
                self.expect("]")
                return False
            self.expect("(")
            if self.accept(")"):
                return True
            self.graph_node()
            while not self.accept(")"):
                self.graph_node()
            return False
        finally:
            self.leave()

    # -- property paths --

    def path(self) -> None:
        self.enter()
        self.path_sequence()
        while self.accept("|"):
            self.path_sequence()
        self.leave()

    def path_sequence(self) -> None:
        self.path_element()
        while self.accept("/"):
            self.path_element()

    def path_element(self) -> None:
        self.accept("^")
        if self.kind("iri", "pname"):
            self.lexer.next()
        elif self.accept("a"):
            pass
        elif self.accept("!"):
            if self.accept("("):
                if not self.accept(")"):
                    self.path_one_in_set()
                    while self.accept("|"):
                        self.path_one_in_set()
                    self.expect(")")
            else:
                self.path_one_in_set()
        elif self.accept("("):
            self.path()
            self.expect(")")
        else:
            raise self.error("a property path")
        self.accept("?", "*", "+")

    def path_one_in_set(self) -> None:
        self.accept("^")
        if not self.accept("a"):
            self.iri()

    # -- terms --

    def var(self) -> None:
        if not self.kind("var"):
            raise self.error("a variable")
        self.lexer.next()

    def iri(self) -> None:
        if not self.kind("iri", "pname"):
            raise self.error("an IRI")
        self.lexer.next()

    def var_or_iri(self) -> None:
        if not self.kind("var", "iri", "pname"):
            raise self.error("a variable or an IRI")
        self.lexer.next()

    def var_or_term(self) -> None:
        token = self.lexer.peek()
        if token.kind in ("var", "iri", "pname", "bnode"):
            self.lexer.next()
        elif self.at("[", "("):
            if not self.triples_node():
                raise self.error("a term", token)
        else:
            self.literal()

    def literal(self) -> None:
        token = self.lexer.peek()
        if token.kind == "string":
            self.lexer.next()
            if self.kind("langtag"):
                self.lexer.next()
            elif self.accept("^^"):
                self.iri()
        elif token.kind == "number":
            self.lexer.next()
        elif self.at("+", "-"):
            self.lexer.next()
            if not self.kind("number") or self.lexer.peek().offset != token.offset + 1:
                raise self.error("a number right after the sign")
            self.lexer.next()
        elif self.accept("TRUE", "FALSE"):
            pass
        else:
            raise self.error("a term (variable, IRI, literal or blank node)")

    def data_block(self) -> None:
        if self.kind("var"):
            self.lexer.next()
            self.expect("{")
            while not self.accept("}"):
                self.data_value()
            return
        self.expect("(")
        width = 0
        while self.kind("var"):
            self.lexer.next()
            width += 1
        self.expect(")")
        self.expect("{")
        while not self.accept("}"):
            row = self.expect("(")
            values = 0
            while not self.accept(")"):
                self.data_value()
                values += 1
            if values != width:
                raise self.lexer.error(f"this VALUES row has {values} values for {width} variables", row.offset)

    def data_value(self) -> None:
        if self.kind("iri", "pname"):
            self.lexer.next()
        elif not self.accept("UNDEF"):
            self.literal()

    # -- expressions --

    def constraint(self) -> None:
        if self.at("("):
            self.bracketted_expression()
        elif self.builtin_ahead():
            self.builtin_call()
        elif self.kind("iri", "pname"):
            self.lexer.next()
            self.arguments(distinct=True)
        else:
            raise self.error("a bracketed expression, a built-in call or a function call")

    def bracketted_expression(self) -> None:
        self.expect("(")
        self.expression()
        self.expect(")")

    def expression(self) -> None:
        self.enter()
        self.and_expression()
        while self.accept("||"):
            self.and_expression()
        self.leave()

    def and_expression(self) -> None:
        self.relational_expression()
        while self.accept("&&"):
            self.relational_expression()

    def relational_expression(self) -> None:
        self.additive_expression()
        if self.accept("IN"):
            self.expression_list()
        elif self.at("NOT"):
            self.lexer.next()
            self.expect("IN")
            self.expression_list()
        elif self.lexer.operator():
            self.additive_expression()

    def expression_list(self) -> None:
        self.expect("(")
        if self.accept(")"):
            return
        self.expression()
        while self.accept(","):
            self.expression()
        self.expect(")")

    def additive_expression(self) -> None:
        self.multiplicative_expression()
        while self.accept("+", "-"):
            self.multiplicative_expression()

    def multiplicative_expression(self) -> None:
        self.unary_expression()
        while self.accept("*", "/"):
            self.unary_expression()

    def unary_expression(self) -> None:
        while self.accept("!", "+", "-"):
            pass
        self.primary_expression()

    def primary_expression(self) -> None:
        token = self.lexer.peek()
        if self.at("("):
            self.bracketted_expression()
        elif self.builtin_ahead():
            self.builtin_call()
        elif token.kind in ("iri", "pname"):
            self.lexer.next()
            if self.at("("):
                self.arguments(distinct=True)
        elif token.kind == "var":
            self.lexer.next()
        else:
            self.literal()

    def builtin_ahead(self) -> bool:
        token = self.lexer.peek()
        return token.kind == "word" and (token.word in _BUILTINS or token.word in _AGGREGATES
                                         or token.word in ("EXISTS", "NOT"))

    def builtin_call(self) -> None:
        name = self.lexer.next().word
        if name == "NOT":
            self.expect("EXISTS")
            self.group_graph_pattern()
        elif name == "EXISTS":
            self.group_graph_pattern()
        elif name in _AGGREGATES:
            self.expect("(")
            self.accept("DISTINCT")
            if name == "COUNT" and self.accept("*"):
                pass
            else:
                self.expression()
            if name == "GROUP_CONCAT" and self.accept(";"):
                self.expect("SEPARATOR")
                self.expect("=")
                if not self.kind("string"):
                    raise self.error("a string")
                self.lexer.next()
            self.expect(")")
        else:
            low, high = _BUILTINS[name]
            count = self.arguments(distinct=False)
            if count < low or (high is not None and count > high):
                raise self.error(f"{name} with {low}{'' if high == low else '+' if high is None else f'-{high}'} "
                                 f"arguments, not {count}")

    def arguments(self, *, distinct: bool) -> int:
        self.expect("(")
        if self.accept(")"):
            return 0
        if distinct:
            self.accept("DISTINCT")
        self.expression()
        count = 1
        while self.accept(","):
            self.expression()
            count += 1
        self.expect(")")
        return count


def parse_query(text: str) -> QueryShape:
    """Parse ``text`` as a SPARQL 1.1 query (or recognise an update) and return its shape.

    Raises
    ------
    ForbiddenQueryError
        For an update (the first update keyword is named).
    SparqlSyntaxError
        When the text is not a SPARQL 1.1 query.
    """
    try:
        return _Parser(text).unit()
    except RecursionError:
        raise SparqlSyntaxError(f"the query is nested too deeply (more than {MAX_DEPTH} levels)",
                                line=1, column=1) from None


def check_read_only(text: str) -> QueryShape:
    """Parse ``text`` and refuse anything but a read query without ``SERVICE``.

    Raises
    ------
    ForbiddenQueryError
        For an update, ``LOAD`` or ``SERVICE``, with the line and column where it stands.
    SparqlSyntaxError
        When the text is not a SPARQL 1.1 query.
    """
    shape = parse_query(text)
    if shape.services:
        line, column = shape.services[0]
        raise ForbiddenQueryError("SERVICE", "a query here never calls another server", line=line, column=column)
    return shape

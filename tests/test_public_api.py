"""The public API names what it returns: every type a function or method exported from ``kg``
returns (or a property gives) is exported from ``kg`` too, so that ``kg/__init__.py`` alone tells a
newcomer what they may use."""

from __future__ import annotations

import enum
import inspect
import re
from collections.abc import Iterator

import kg

# Types from the standard library and the libraries the API hands out as they are (pandas,
# NetworkX, pyoxigraph: these are mostly written with their module, ``pd.DataFrame``), rdflib's
# ``Graph``, and ``Term``, the alias of pyoxigraph's term types.
_OUTSIDE = {"Any", "Graph", "Iterable", "Iterator", "Mapping", "None", "Path", "Self", "Sequence", "Term"}


def _callables() -> Iterator[tuple[str, object]]:
    for name in kg.__all__:
        value = getattr(kg, name)
        if inspect.isfunction(value):
            yield name, value
        elif inspect.isclass(value) and value.__module__.startswith("kg.") and not issubclass(value, enum.Enum):
            for attribute, member in vars(value).items():
                if attribute.startswith("_"):
                    continue
                if isinstance(member, property):
                    yield f"{name}.{attribute}", member.fget
                elif isinstance(member, (classmethod, staticmethod)):
                    yield f"{name}.{attribute}", member.__func__
                elif inspect.isfunction(member):
                    yield f"{name}.{attribute}", member


def _named_types(annotation: object) -> set[str]:
    """The undotted type names of an annotation (``pd.DataFrame`` is pandas', not ours)."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    return set(re.findall(r"(?<![.\w])[A-Z]\w*", text))


def test_every_returned_type_is_exported() -> None:
    exported = set(kg.__all__)
    missing = {}
    for name, function in _callables():
        returned = inspect.signature(function).return_annotation  # type: ignore[arg-type]
        if returned is inspect.Signature.empty:
            continue
        unknown = _named_types(returned) - exported - _OUTSIDE
        if unknown:
            missing[name] = sorted(unknown)
    assert missing == {}


def test_the_check_sees_a_type_that_is_not_exported() -> None:
    assert _named_types("list[ox.Triple] | Ranking") == {"Ranking"}
    assert _named_types("QueryResult") == {"QueryResult"}


def test_every_export_is_in_the_docstring() -> None:
    """The module's docstring is the map of the API: it names every export."""
    assert kg.__doc__ is not None
    assert [n for n in kg.__all__ if n != "__version__" and n not in kg.__doc__] == []

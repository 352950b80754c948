"""Lazy imports of the heavy libraries (pandas, NetworkX, NumPy), so that a command pays only for
what it uses: ``kg --version`` or ``kg query`` never load pandas or NetworkX.

A module written as ``pd = lazy_import("pandas")`` gets a module object whose code runs on its first
attribute access (:class:`importlib.util.LazyLoader`); a library already imported is returned as it
is. For type checkers, import the library under ``if TYPE_CHECKING:`` beside it.

Examples
--------
>>> json = lazy_import("json")
>>> json.dumps([1])
'[1]'
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Callable, Mapping
from types import ModuleType

__all__ = ["lazy_exports", "lazy_import"]

_LOCK = threading.Lock()


def lazy_import(name: str) -> ModuleType:
    """The module ``name``, loaded when one of its attributes is first used.

    Raises
    ------
    ModuleNotFoundError
        When the module is not installed (found out now, not at first use).
    """
    with _LOCK:
        module = sys.modules.get(name)
        if module is not None:
            return module
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        loader = importlib.util.LazyLoader(spec.loader)
        spec.loader = loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        loader.exec_module(module)
        return module


def lazy_exports(package: str, exports: Mapping[str, str], *, submodules: bool = False
                 ) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for a package whose names are imported on first use (PEP 562).

    ``exports`` maps each public name to the module defining it; with ``submodules``, other names are
    looked up as submodules (``kg.api``). A name, once imported, is kept in the package.
    """

    def __getattr__(name: str) -> object:
        import importlib

        namespace = vars(sys.modules[package])
        if name in exports:
            value = getattr(importlib.import_module(exports[name]), name)
            namespace[name] = value
            return value
        if submodules:
            try:
                return importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{package}.{name}":
                    raise
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exports))

    return __getattr__, __dir__

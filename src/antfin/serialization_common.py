"""What dumping and loading share (see :mod:`antfin.serialization`, the public API).

The tags of antfin's documents, the marker of the ledger's type, and what is
worked out once from an annotation or a class's type hints.
"""

from __future__ import annotations

import collections
import sys
import types
import typing
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import attrs

#: The class attribute that marks the type of the context an entity is loaded into (the ledger):
#: fields of that type are not data; :func:`from_data` attaches its ``ledger=`` to them. A marker
#: rather than an import keeps this module below the ledger's floor.
_CONTEXT_MARKER: typing.Final = "__antfin_load_context__"


#: The class attribute that names the values an attrs class derives from its fields and that older
#: documents stored as fields of their own, each with its type: ``{"periods": tuple[Period, ...]}``.
#: Dumping leaves them out; loading accepts one, loads it as its type and refuses the document unless
#: it equals what the loaded instance derives (stored state is checked, never trusted).
_DERIVED_MARKER: typing.Final = "__antfin_derived__"


#: The class attribute that turns a document of an older version of an attrs class into today's shape:
#: a function of the document's object returning the object to load. Loading calls it only when the
#: object has fields the class does not know, and what it returns passes the usual loading and checks.
_UPGRADE_MARKER: typing.Final = "__antfin_upgrade__"


class _Context(typing.Protocol):
    """What loading needs of a ledger: a block to roll back, and its uncommitted writes to prove there were none."""

    def uncommitted(self) -> tuple[int, int, int]: ...

    def atomic(self) -> typing.ContextManager[Any]: ...


def _is_ledger_type(tp: object) -> bool:
    return isinstance(tp, type) and bool(getattr(tp, _CONTEXT_MARKER, False))


_SKIPPED: dict[object, bool] = {}


def _skipped(tp: object) -> bool:
    """Whether a field of this type is not data (the ledger, callables), memoized per type."""
    try:
        return _SKIPPED[tp]
    except KeyError:
        pass
    except TypeError:  # an unhashable annotation: work it out each time
        return _skipped_uncached(tp)
    result = _SKIPPED[tp] = _skipped_uncached(tp)
    return result


def _skipped_uncached(tp: object) -> bool:
    if _is_ledger_type(tp):
        return True
    origin = typing.get_origin(tp)
    if origin in (Callable, typing.Callable) or tp is Callable:
        return True
    if origin in (types.UnionType, typing.Union):
        return any(_skipped(arg) for arg in typing.get_args(tp) if arg is not type(None))
    if origin in (list, tuple, Sequence):  # a list of callbacks is not data either
        args = [arg for arg in typing.get_args(tp) if arg is not Ellipsis]
        return bool(args) and all(_skipped(arg) for arg in args)
    return False


@cache
def _hints(cls: type) -> dict[str, Any]:
    # Annotations are strings (``from __future__ import annotations``); some name types that their
    # module imports only for the type checker, so resolve them against every antfin module's names.
    namespace = collections.ChainMap(vars(sys.modules[cls.__module__]), _antfin_names())
    return typing.get_type_hints(cls, localns=namespace)


#: Every antfin module's names (not dunder), merged: built again when the modules loaded change.
_NAMES: list[Any] = [None, {}]


def _antfin_names() -> dict[str, Any]:
    modules = [module for name, module in list(sys.modules.items()) if name == "antfin" or name.startswith("antfin.")]
    key = (sum(len(vars(module)) for module in modules), *map(id, modules))
    if _NAMES[0] != key:
        names: dict[str, Any] = {}
        for module in modules:
            names.update({key: value for key, value in vars(module).items() if not key.startswith("__")})
        _NAMES[:] = [key, names]
    merged: dict[str, Any] = _NAMES[1]
    return merged


_CLASS = "__class__"
_ITEMS = "__items__"
_REF = "$ref"
_NAMED = "$named"


_SHAPES: dict[object, tuple[Any, tuple[Any, ...]]] = {}


def _shape(tp: object) -> tuple[Any, tuple[Any, ...]]:
    """``typing.get_origin`` and ``typing.get_args`` of an annotation, memoized."""
    try:
        return _SHAPES[tp]
    except KeyError:
        pass
    except TypeError:  # unhashable: compute each time
        return typing.get_origin(tp), typing.get_args(tp)
    shape = _SHAPES[tp] = (typing.get_origin(tp), typing.get_args(tp))
    return shape


_ATTRS: dict[type, bool] = {}


def _has_attrs(cls: type) -> bool:
    try:
        return _ATTRS[cls]
    except KeyError:
        result = _ATTRS[cls] = attrs.has(cls)
        return result

"""Dumping: values to JSON-compatible data (see :func:`antfin.serialization.to_data`).

The compiled dumpers (one per runtime class) and the general dumper, which
interprets each value and names the path of the first refusal.
"""

from __future__ import annotations

import contextvars
import enum
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import Any

import attrs

from antfin.archive import Archive
from antfin.errors import SerializationError
from antfin.money import Currency, Money
from antfin.serialization_common import (
    _CLASS,
    _ITEMS,
    _NAMED,
    _REF,
    _has_attrs,
    _hints,
    _shape,
    _skipped,
)

#: The named constants (see :func:`antfin.serialization.named`): each class's (value, name) pairs.
_NAMES: dict[type, list[tuple[object, str]]] = {}

#: Entity types written as ``{"$ref": id}`` when nested in another value, with how to name or find one.
_DUMP_REFS: contextvars.ContextVar[Mapping[type, Callable[[Any], str]]] = contextvars.ContextVar(
    "antfin_dump_refs", default=MappingProxyType({})
)


def _declared(tp: object, cls: type) -> bool:
    """Whether the annotation ``tp`` names ``cls`` itself (or an optional/union of it)."""
    if tp is cls:
        return True
    origin, args = _shape(tp)
    if origin in (types.UnionType, typing.Union):
        return cls in args
    return False


@cache
def _dump_plan(cls: type) -> tuple[tuple[str, Any], ...]:
    """The fields of an attrs class that are data, with their declared types (computed once per class)."""
    hints = _hints(cls)
    plan = []
    for field in attrs.fields(cls):
        tp = hints.get(field.name, Any)
        if not _skipped(tp):
            plan.append((field.name, tp))
    return tuple(plan)


# -- dumping: one compiled dumper per runtime type -----------------------------------------------
#
# Each class's dumper is worked out once (which branch of :func:`_dump` its values take, and for an
# attrs class its data fields and their declared types), so dumping a value is a dict look-up and a
# call. The compiled dumpers carry no path: when one refuses a value, :func:`to_data` dumps it again
# with :func:`_dump`, which interprets every value and names the path of the first refusal.

_Dumper = Callable[[Any], Any]
_DUMPERS: dict[type, _Dumper] = {}


def _dump_fast(value: object) -> Any:
    kind = type(value)
    return (_DUMPERS.get(kind) or _dumper(kind))(value)


def _dumper(kind: type) -> _Dumper:
    dumper = _DUMPERS[kind] = _compile_dumper(kind)
    return dumper


def _compile_dumper(cls: type) -> _Dumper:
    """The dumper of the values of exactly this class: the branch :func:`_dump` would take for them."""
    names = _NAMES.get(cls)
    if names:
        dump_value = _compile_value_dumper(cls)

        def dump_named(value: Any) -> Any:
            for constant, name in names:
                if value is constant or value == constant:
                    return {_NAMED: name}
            return dump_value(value)

        return dump_named
    return _compile_value_dumper(cls)


def _compile_value_dumper(cls: type) -> _Dumper:
    if cls in (str, int, bool, type(None)):
        return _same
    if cls is Money:
        return _money_data
    if cls is datetime:
        return _aware_isoformat
    if cls is date:
        return _isoformat
    if _has_attrs(cls) and not issubclass(cls, (enum.Enum, Money, Currency)):
        return _compile_attrs_dumper(cls)
    if issubclass(cls, enum.Enum):  # before str: some enums (Rounding) are also strings
        return _enum_name
    if issubclass(cls, (bool, str, int)):
        return _same
    if issubclass(cls, Money):
        return _money_data
    if issubclass(cls, Currency):
        return _currency_code
    if issubclass(cls, Decimal):
        return str
    if issubclass(cls, datetime):
        return _aware_isoformat
    if issubclass(cls, (date, time)):
        return _isoformat
    if issubclass(cls, Archive):  # attached to the books, its records are stored one row each
        return _archive_data
    if issubclass(cls, Mapping):
        return _mapping_data
    if issubclass(cls, (list, tuple)):
        return _list_data
    if issubclass(cls, (set, frozenset)):
        return _set_data
    if issubclass(cls, timedelta):
        return _timedelta_data
    return _dump_slowly  # floats, what cannot be converted: refused, naming the path


def _same(value: Any) -> Any:
    return value


def _enum_name(value: Any) -> Any:
    return value.name


def _money_data(value: Any) -> Any:
    return {"amount": _amount_text(value), "currency": value.currency.code}


def _amount_text(money: Money) -> str:
    """``str(money.amount)`` (``"-0.05"``), from the minor units without a Decimal."""
    minor, digits = money.minor_units, money.currency.digits
    if digits == 0:
        return str(minor)
    if digits > 6:
        return str(money.amount)
    whole, part = divmod(-minor if minor < 0 else minor, 10**digits)
    return f"{'-' if minor < 0 else ''}{whole}.{part:0{digits}d}"


def _currency_code(value: Any) -> Any:
    return value.code


def _aware_isoformat(value: Any) -> Any:
    if value.tzinfo is None or value.utcoffset() is None:
        raise SerializationError(f"$: datetime must be aware, got naive {value}")
    return value.isoformat()


def _isoformat(value: Any) -> Any:
    return value.isoformat()


# The containers' dumpers look each item's dumper up in place (one call per item, not two).


def _list_data(value: Any) -> Any:
    get = _DUMPERS.get
    return [(get(type(item)) or _dumper(type(item)))(item) for item in value]


def _mapping_data(value: Any) -> Any:
    get = _DUMPERS.get
    keys = [(get(type(key)) or _dumper(type(key)))(key) for key in value]
    items = [(get(type(item)) or _dumper(type(item)))(item) for item in value.values()]
    if all(isinstance(key, str) for key in keys) and _ITEMS not in keys:
        return dict(zip(keys, items, strict=True))
    # Keys that are not strings once converted (tuples, say): a list of [key, value] pairs.
    return {_ITEMS: [[key, item] for key, item in zip(keys, items, strict=True)]}


def _set_data(value: Any) -> Any:
    return _list_data(sorted(value, key=repr))


def _timedelta_data(value: Any) -> Any:
    return {"days": value.days, "seconds": value.seconds, "microseconds": value.microseconds}


def _archive_data(value: Any) -> Any:
    return _mapping_data(value.in_memory())


def _dump_slowly(value: Any) -> Any:
    return _dump_other(value, "$")


def _compile_attrs_dumper(cls: type) -> _Dumper:
    # Per field: its name, declared type, and the ``__class__`` tag (or "") of each runtime class seen in it.
    fields: tuple[tuple[str, Any, dict[type, str]], ...] = tuple((name, tp, {}) for name, tp in _dump_plan(cls))

    def dump_attrs(value: Any) -> Any:
        references = _DUMP_REFS.get()
        out: dict[str, Any] = {}
        for name, tp, tags in fields:
            item = getattr(value, name)
            kind = type(item)
            if references:
                namer = references.get(kind)
                if namer is not None:
                    out[name] = {_REF: namer(item)}
                    continue
            data = (_DUMPERS.get(kind) or _dumper(kind))(item)
            tag = tags.get(kind)
            if tag is None:
                # A protocol- or base-typed field: record the concrete antfin class to load it back.
                tag = tags[kind] = "" if not _has_attrs(kind) or _declared(tp, kind) else _class_name(kind)
            if tag and isinstance(data, dict) and _NAMED not in data:
                data[_CLASS] = tag
            out[name] = data
        return out

    return dump_attrs


def _class_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _dump(value: object, path: str) -> Any:
    cls = type(value)
    if cls is str or cls is int or cls is bool or value is None:
        return value
    for constant, name in _NAMES.get(cls, ()):
        if value is constant or value == constant:
            return {_NAMED: name}
    if cls is Money:
        return {"amount": str(value.amount), "currency": value.currency.code}  # type: ignore[attr-defined]
    if cls is datetime:
        if value.tzinfo is None or value.utcoffset() is None:  # type: ignore[attr-defined]
            raise SerializationError(f"{path}: datetime must be aware, got naive {value}")
        return value.isoformat()  # type: ignore[attr-defined]
    if cls is date:
        return value.isoformat()  # type: ignore[attr-defined]
    if _has_attrs(cls) and not isinstance(value, (enum.Enum, Money, Currency)):
        return _dump_attrs(value, cls, path)
    return _dump_other(value, path)


def _dump_attrs(value: object, cls: type, path: str) -> Any:
    references = _DUMP_REFS.get()
    out: dict[str, Any] = {}
    for name, tp in _dump_plan(cls):
        item = getattr(value, name)
        if references:
            namer = references.get(type(item))
            if namer is not None:
                out[name] = {_REF: namer(item)}
                continue
        data = _dump(item, f"{path}.{name}")
        if isinstance(data, dict) and _NAMED not in data and _has_attrs(type(item)) and not _declared(tp, type(item)):
            # A protocol- or base-typed field: record the concrete antfin class to load it back.
            data[_CLASS] = _class_name(type(item))
        out[name] = data
    return out


def _dump_other(value: object, path: str) -> Any:
    if isinstance(value, enum.Enum):  # before str: some enums (Rounding) are also strings
        return value.name
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        raise SerializationError(f"{path}: floats are not allowed in antfin data, got {value!r}")
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency.code}
    if isinstance(value, Currency):
        return value.code
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise SerializationError(f"{path}: datetime must be aware, got naive {value}")
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return {"days": value.days, "seconds": value.seconds, "microseconds": value.microseconds}
    if isinstance(value, enum.Enum):
        return value.name
    if _has_attrs(type(value)):
        return _dump_attrs(value, type(value), path)
    if isinstance(value, Archive):  # attached to the books, its records are stored one row each
        value = value.in_memory()
    if isinstance(value, Mapping):
        keys = [_dump(key, f"{path} key") for key in value]
        items = [_dump(item, f"{path}[{key!r}]") for key, item in value.items()]
        if all(isinstance(key, str) for key in keys) and _ITEMS not in keys:
            return dict(zip(keys, items, strict=True))
        # Keys that are not strings once converted (tuples, say): a list of [key, value] pairs.
        return {_ITEMS: [[key, item] for key, item in zip(keys, items, strict=True)]}
    if isinstance(value, (list, tuple, frozenset, set)):
        ordered = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [_dump(item, f"{path}[{index}]") for index, item in enumerate(ordered)]
    raise SerializationError(f"{path}: cannot convert {type(value).__name__} to JSON data")
